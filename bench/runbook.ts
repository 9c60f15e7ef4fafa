import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACCOUNT_ID, FakeArm, mapping, protectedItem, VAULT_ID } from '../test/runbook/fake-arm';
import { RUNBOOK, runRunbookProcess, type FleetSummary } from '../test/runbook/harness';
import { locatePwsh, pwshEnv } from '../test/runbook/pwsh';

/**
 * The runbook benchmark: the shipped runbook under real pwsh against the fake ARM server on loopback
 * (never Azure). A vault with 500 container mappings, 100 of which need a change; every PATCH answers
 * 202 and its operation reports InProgress for a few polls before Succeeded. Measured per run: wall
 * time of the whole pwsh process (spawn to exit) and of the runbook alone, requests the servers saw,
 * and the peak of requests in flight and of operations open, as the server observed them.
 */
export const RUNBOOK_BENCH = {
  mappings: 500,
  changes: 100,
  pageSize: 100,
  pollsPerOperation: 3,
  retryAfterMs: 50,
  latencyMs: 20,
  maxConcurrency: [4, 16],
  runs: 3,
} as const;

/** A setup's shape with its literal numbers widened, so that a smaller one (the suite's smoke) fits. */
type Widen<T> = T extends number
  ? number
  : T extends readonly (infer U)[]
    ? readonly Widen<U>[]
    : T extends object
      ? { readonly [K in keyof T]: Widen<T[K]> }
      : T;
export type RunbookBenchSetup = Widen<typeof RUNBOOK_BENCH>;

export interface RunbookRun {
  readonly processWallMs: number;
  readonly runbookMs: number;
  readonly requests: number;
  readonly armRequests: number;
  readonly tokenRequests: number;
  readonly armConnections: number;
  readonly peakRequestsInFlight: number;
  readonly peakOperationsOpen: number;
  readonly outcome: string;
}
export interface RunbookPoint {
  readonly maxConcurrency: number;
  readonly runs: RunbookRun[];
  readonly median: RunbookRun;
}
export interface RunbookBench {
  readonly measuredAt: string;
  readonly machine: string;
  /** The 1-minute load average before and after: the cores are shared, so say how busy they were. */
  readonly loadAverage: { readonly before: number; readonly after: number };
  readonly pwsh: string;
  readonly setup: RunbookBenchSetup;
  readonly method: string;
  readonly points: RunbookPoint[];
}

async function once(maxConcurrency: number, b: RunbookBenchSetup): Promise<RunbookRun> {
  const every = b.mappings / b.changes;
  const mappings = Array.from({ length: b.mappings }, (_, i) =>
    i % every === 0
      ? mapping(`m${i}`)
      : mapping(`m${i}`, { status: 'Enabled', account: ACCOUNT_ID, auth: 'SystemAssignedIdentity' }),
  );
  const arm = await new FakeArm({
    vaultId: VAULT_ID,
    mappings,
    pageSize: b.pageSize,
    latencyMs: b.latencyMs,
    pollHeaders: { 'retry-after-ms': String(b.retryAfterMs) },
    patchPlan: () => ({ mode: 'async', via: 'both', polls: b.pollsPerOperation, status: 'Succeeded' }),
    maxRequests: 10_000,
  }).start();
  try {
    const lookup = locatePwsh();
    if (!lookup.found) throw new Error(`runbook bench: no PowerShell (${lookup.missing})`);
    const { runs, process } = await runRunbookProcess(
      lookup.pwsh,
      [
        {
          vaultresourceid: VAULT_ID,
          autoupdateaction: 'Enabled',
          automationaccountarmid: ACCOUNT_ID,
          providers: 'A2A',
          armendpoint: arm.armEndpoint,
          maxconcurrency: String(maxConcurrency),
        },
      ],
      arm.identityEnv,
    );
    const r = runs[0]!;
    if (r.summary?.outcome !== 'Succeeded' || r.summary.counts.succeeded !== b.changes)
      throw new Error(`runbook bench: unexpected result ${r.output.join('\n').slice(0, 500)}`);
    if (arm.violations.length) throw new Error(`runbook bench: ${arm.violations.join('; ')}`);
    return {
      processWallMs: Math.round(process.wallMs),
      runbookMs: r.ms,
      requests: arm.requests.length,
      armRequests: arm.arm().length,
      tokenRequests: arm.identity().length,
      armConnections: arm.armConnections,
      peakRequestsInFlight: arm.peakInFlight,
      peakOperationsOpen: arm.peakOpenOperations,
      outcome: r.summary.outcome,
    };
  } finally {
    await arm.close();
  }
}

export async function benchRunbook(
  quick = false,
  setup: RunbookBenchSetup = RUNBOOK_BENCH,
): Promise<RunbookBench> {
  const lookup = locatePwsh();
  if (!lookup.found) throw new Error(`runbook bench: no PowerShell (${lookup.missing})`);
  const before = loadavg()[0]!;
  const points: RunbookPoint[] = [];
  for (const maxConcurrency of setup.maxConcurrency) {
    const runs: RunbookRun[] = [];
    for (let i = 0; i < (quick ? 1 : setup.runs); i++) runs.push(await once(maxConcurrency, setup));
    const sorted = [...runs].sort((a, b) => a.processWallMs - b.processWallMs);
    const median = sorted[sorted.length >> 1]!;
    console.log(
      `  runbook MaxConcurrency ${maxConcurrency}: process ${median.processWallMs} ms, runbook ${median.runbookMs} ms, ${median.requests} requests on ${median.armConnections} connections, peak in flight ${median.peakRequestsInFlight}`,
    );
    points.push({ maxConcurrency, runs, median });
  }
  return {
    measuredAt: new Date().toISOString(),
    machine: `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`,
    loadAverage: { before: Number(before.toFixed(1)), after: Number(loadavg()[0]!.toFixed(1)) },
    pwsh: `${lookup.pwsh.version} (${lookup.pwsh.source})`,
    setup,
    method:
      'The shipped runbook under real pwsh against the fake ARM server on loopback. Wall time from spawn to exit, and of the runbook alone (inside pwsh); the median run by wall time; requests and peaks as the server saw them.',
    points,
  };
}

export function renderRunbookMarkdown(r: RunbookBench): string[] {
  const s = r.setup;
  return [
    `Runbook against the fake ARM server, measured ${r.measuredAt.slice(0, 10)} on ${r.machine} (load average ${r.loadAverage.before} before, ${r.loadAverage.after} after) with PowerShell ${r.pwsh}: ${s.mappings} mappings in pages of ${s.pageSize}, ${s.changes} needing a change, each operation InProgress for ${s.pollsPerOperation} polls (retry-after-ms ${s.retryAfterMs}), ${s.latencyMs} ms per ARM answer; median of ${r.points[0]?.runs.length ?? 0} runs.`,
    '',
    '| MaxConcurrency | process wall (ms) | runbook (ms) | requests (ARM + token) | ARM connections | peak requests in flight | peak operations open |',
    '|---|---|---|---|---|---|---|',
    ...r.points.map(
      (p) =>
        `| ${p.maxConcurrency} | ${p.median.processWallMs} | ${p.median.runbookMs} | ${p.median.armRequests} + ${p.median.tokenRequests} | ${p.median.armConnections} | ${p.median.peakRequestsInFlight} | ${p.median.peakOperationsOpen} |`,
    ),
  ];
}

// ------------------------------------------------------------------------------------------------
// The fleet at estate scale (issue 27): vaults side by side against sequential, and a first night.

/**
 * The estate model: each vault has 4 mappings and 20 protected items; one mapping in ten needs a
 * change (all of them on the first night); every ARM answer takes 50 ms and every asynchronous
 * operation 3 s (polled as its Retry-After asks, every second). Sequential is MaxParallelVaults=1;
 * side by side is the runbook's defaults (8 vaults, 16 requests in flight).
 */
export const RUNBOOK_FLEET_BENCH = {
  vaults: [50, 200, 500, 2000],
  mappingsPerVault: 4,
  protectedItemsPerVault: 20,
  changeEvery: 10,
  latencyMs: 50,
  operationMs: 3000,
  pollRetryAfterMs: 1000,
  sideBySide: { maxParallelVaults: 8, maxRequestsInFlight: 16 },
  /** Sequential runs stop here: at 500 vaults one after another the night is long (see the figures at 200). */
  sequentialUpTo: 200,
  firstNightVaults: 500,
} as const;

export type RunbookFleetBenchSetup = Widen<typeof RUNBOOK_FLEET_BENCH>;

export interface FleetRun {
  readonly vaults: number;
  readonly mode: 'sequential' | 'side by side' | 'first night (side by side)';
  readonly maxParallelVaults: number;
  readonly wallMs: number;
  readonly runbookMs: number;
  readonly requests: number;
  readonly peakRequestsInFlight: number;
  readonly peakOperationsOpen: number;
  readonly pwshPeakRssMb: number;
  readonly summaryBytes: number;
  readonly changes: number;
  readonly outcome: string;
}
export interface FleetBench {
  readonly measuredAt: string;
  readonly machine: string;
  readonly loadAverage: { readonly before: number; readonly after: number };
  readonly pwsh: string;
  readonly setup: RunbookFleetBenchSetup;
  readonly method: string;
  readonly runs: FleetRun[];
  readonly speedupAt200: number | null;
  readonly targets: { target: string; value: string; met: boolean }[];
}

/**
 * Resident memory of the largest process in a process tree (Linux /proc), in kB; 0 elsewhere. Under
 * `dotnet tool run pwsh` the tree is the tool host, the global-tool shim and pwsh itself: the largest is pwsh.
 */
function treeRssKb(root: number): number {
  if (process.platform !== 'linux') return 0;
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      total = Math.max(total, m ? Number(m[1]) : 0);
    } catch {
      // gone meanwhile
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** One fleet run; `runbook` is the script run (default the shipped one), to compare another build under the same load. */
export async function fleetOnce(
  vaults: number,
  parallel: number,
  firstNight: boolean,
  b: RunbookFleetBenchSetup = RUNBOOK_FLEET_BENCH,
  runbook: string = RUNBOOK,
): Promise<FleetRun> {
  const sub = (i: number) => `${String(i % 4).repeat(8)}-1111-2222-3333-444444444444`;
  const ids = Array.from(
    { length: vaults },
    (_, i) =>
      `/subscriptions/${sub(i)}/resourceGroups/rg-${i}/providers/Microsoft.RecoveryServices/vaults/v${i}`,
  );
  let n = 0;
  const mappings = ids.flatMap((v) =>
    Array.from({ length: b.mappingsPerVault }, (_, k) =>
      firstNight || n++ % b.changeEvery === 0
        ? mapping(`m${k}`, {}, v)
        : mapping(`m${k}`, { status: 'Enabled', account: ACCOUNT_ID, auth: 'SystemAssignedIdentity' }, v),
    ),
  );
  const changes = mappings.filter(
    (m) => m.properties.providerSpecificDetails!.agentAutoUpdateStatus !== 'Enabled',
  ).length;
  const protectedItems = ids.flatMap((v) =>
    Array.from({ length: b.protectedItemsPerVault }, (_, k) =>
      protectedItem(
        `vm${k}`,
        {
          provider: 'A2A',
          agentVersion: '9.62.1.1',
          agentExpiryDate: '2027-06-01T00:00:00Z',
          isReplicationAgentUpdateRequired: false,
          isReplicationAgentCertificateUpdateRequired: false,
        },
        v,
      ),
    ),
  );
  const arm = await new FakeArm({
    vaultId: ids[0]!,
    otherVaults: ids.slice(1),
    mappings,
    protectedItems,
    latencyMs: b.latencyMs,
    operationMs: b.operationMs,
    pollHeaders: { 'retry-after-ms': String(b.pollRetryAfterMs) },
    patchPlan: () => ({ mode: 'async', via: 'both', polls: 0, status: 'Succeeded' }),
    maxRequests: 100_000,
  }).start();
  const lookup = locatePwsh();
  if (!lookup.found) throw new Error(`runbook bench: no PowerShell (${lookup.missing})`);
  const dir = mkdtempSync(join(tmpdir(), 'runbook-fleet-'));
  const file = join(dir, 'parameters.json');
  writeFileSync(
    file,
    JSON.stringify([
      {
        vaultresourceids: ids.join(','),
        autoupdateaction: 'Enabled',
        automationaccountarmid: ACCOUNT_ID,
        providers: 'A2A',
        armendpoint: arm.armEndpoint,
        timeoutseconds: '10200',
        maxparallelvaults: String(parallel),
        maxrequestsinflight: String(b.sideBySide.maxRequestsInFlight),
        reporttimeutc: '2026-11-30T00:00:00Z',
      },
    ]),
  );
  try {
    const t0 = process.hrtime.bigint();
    const child = spawn(
      lookup.pwsh.command,
      [
        ...lookup.pwsh.prefixArgs,
        '-NoProfile',
        '-NonInteractive',
        '-File',
        join(__dirname, '..', 'test', 'runbook', 'invoke-as-automation.ps1'),
        '-Runbook',
        runbook,
        '-ParameterFile',
        file,
      ],
      {
        env: pwshEnv({ ...process.env, ...arm.identityEnv, NO_PROXY: '127.0.0.1' }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let peakKb = 0;
    const sampler = setInterval(() => (peakKb = Math.max(peakKb, treeRssKb(child.pid!))), 250);
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.resume();
    await new Promise<void>((resolve) => child.on('close', () => resolve()));
    clearInterval(sampler);
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const records = Buffer.concat(out)
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { stream: string; text: string | null; ms?: number });
    const output = records.filter((r) => r.stream === 'Output').map((r) => r.text ?? '');
    if (output.length !== 1) throw new Error(`runbook fleet bench: ${output.length} output records`);
    const summary = JSON.parse(output[0]!) as FleetSummary;
    if (summary.counts.succeeded !== changes || !['Succeeded', 'NoChange'].includes(summary.outcome))
      throw new Error(`runbook fleet bench: ${summary.outcome}: ${summary.message}`);
    if (arm.violations.length) throw new Error(`runbook fleet bench: ${arm.violations.join('; ')}`);
    return {
      vaults,
      mode: firstNight ? 'first night (side by side)' : parallel === 1 ? 'sequential' : 'side by side',
      maxParallelVaults: parallel,
      wallMs: Math.round(wallMs),
      runbookMs: records.find((r) => r.stream === 'End')?.ms ?? 0,
      requests: arm.requests.length,
      peakRequestsInFlight: arm.peakInFlight,
      peakOperationsOpen: arm.peakOpenOperations,
      pwshPeakRssMb: Math.round(peakKb / 1024),
      summaryBytes: Buffer.byteLength(output[0]!, 'utf8'),
      changes,
      outcome: summary.outcome,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await arm.close();
  }
}

export async function benchRunbookFleet(
  setup: RunbookFleetBenchSetup = RUNBOOK_FLEET_BENCH,
): Promise<FleetBench> {
  const lookup = locatePwsh();
  if (!lookup.found) throw new Error(`runbook bench: no PowerShell (${lookup.missing})`);
  const b = setup;
  const before = loadavg()[0]!;
  const runs: FleetRun[] = [];
  const log = (r: FleetRun) =>
    console.log(
      `  fleet ${r.vaults} vaults, ${r.mode}: ${r.wallMs} ms, ${r.requests} requests, peak ${r.peakRequestsInFlight} in flight, pwsh peak ${r.pwshPeakRssMb} MB, summary ${r.summaryBytes} bytes`,
    );
  const measure = async (vaults: number, parallel: number, firstNight: boolean) => {
    const r = await fleetOnce(vaults, parallel, firstNight, b);
    log(r);
    runs.push(r);
  };
  for (const vaults of b.vaults) {
    if (vaults <= b.sequentialUpTo) await measure(vaults, 1, false);
    await measure(vaults, b.sideBySide.maxParallelVaults, false);
  }
  await measure(b.firstNightVaults, b.sideBySide.maxParallelVaults, true);
  const at = (v: number, mode: FleetRun['mode']) => runs.find((r) => r.vaults === v && r.mode === mode);
  const seq200 = at(200, 'sequential');
  const par200 = at(200, 'side by side');
  const speedupAt200 = seq200 && par200 ? Number((seq200.wallMs / par200.wallMs).toFixed(1)) : null;
  const ordinary500 = at(500, 'side by side');
  const first500 = at(500, 'first night (side by side)');
  const ordinary2000 = at(2000, 'side by side');
  const peak = Math.max(...runs.map((r) => r.pwshPeakRssMb));
  return {
    measuredAt: new Date().toISOString(),
    machine: `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`,
    loadAverage: { before: Number(before.toFixed(1)), after: Number(loadavg()[0]!.toFixed(1)) },
    pwsh: `${lookup.pwsh.version} (${lookup.pwsh.source})`,
    setup: b,
    method:
      'The shipped runbook under real pwsh (one process per run, -ParameterFile) against the fake ARM on loopback with the estate model above; wall time from spawn to exit; requests and peaks as the server saw them; pwsh peak memory as the resident set of the pwsh process (the largest of the launcher tree) sampled every 250 ms; one run per point.',
    runs,
    speedupAt200,
    targets: [
      {
        target: '500 vaults, first night <= 180 s',
        value: `${first500?.wallMs ?? '?'} ms`,
        met: (first500?.wallMs ?? Infinity) <= 180_000,
      },
      {
        target: '500 vaults, first night: pwsh peak <= 300 MB',
        value: `${first500?.pwshPeakRssMb ?? '?'} MB`,
        met: first500 !== undefined && first500.pwshPeakRssMb > 0 && first500.pwshPeakRssMb <= 300,
      },
      {
        target: '500 vaults, ordinary night <= 60 s',
        value: `${ordinary500?.wallMs ?? '?'} ms`,
        met: (ordinary500?.wallMs ?? Infinity) <= 60_000,
      },
      {
        target: '500 vaults, ordinary night: pwsh peak <= 300 MB',
        value: `${ordinary500?.pwshPeakRssMb ?? '?'} MB`,
        met: ordinary500 !== undefined && ordinary500.pwshPeakRssMb > 0 && ordinary500.pwshPeakRssMb <= 300,
      },
      {
        target: "2,000 vaults, ordinary night: pwsh peak within 10% of 500's",
        value: `${ordinary2000?.pwshPeakRssMb ?? '?'} MB against ${ordinary500?.pwshPeakRssMb ?? '?'} MB`,
        met:
          ordinary2000 !== undefined &&
          ordinary500 !== undefined &&
          ordinary2000.pwshPeakRssMb <= ordinary500.pwshPeakRssMb * 1.1,
      },
      {
        target: '>= 12x faster than sequential at 200 vaults (defaults)',
        value: `${speedupAt200 ?? '?'}x`,
        met: (speedupAt200 ?? 0) >= 12,
      },
      { target: 'pwsh peak memory < 400 MB (the sandbox)', value: `${peak} MB`, met: peak > 0 && peak < 400 },
    ],
  };
}

export function renderRunbookFleetMarkdown(r: FleetBench): string[] {
  return [
    `Runbook fleet (issues 27 and 32), measured ${r.measuredAt.slice(0, 10)} on ${r.machine} (load average ${r.loadAverage.before} before, ${r.loadAverage.after} after), PowerShell ${r.pwsh}: ${r.setup.mappingsPerVault} mappings and ${r.setup.protectedItemsPerVault} protected items per vault, 1 mapping in ${r.setup.changeEvery} needing a change (all on the first night), ${r.setup.latencyMs} ms per answer, ${r.setup.operationMs} ms per operation.`,
    '',
    '| vaults | mode | MaxParallelVaults | wall (ms) | requests | peak in flight | pwsh peak MB | summary bytes |',
    '|---|---|---|---|---|---|---|---|',
    ...r.runs.map(
      (x) =>
        `| ${x.vaults} | ${x.mode} | ${x.maxParallelVaults} | ${x.wallMs} | ${x.requests} | ${x.peakRequestsInFlight} | ${x.pwshPeakRssMb} | ${x.summaryBytes} |`,
    ),
    '',
    '| target | value | met |',
    '|---|---|---|',
    ...r.targets.map((t) => `| ${t.target} | ${t.value} | ${t.met ? 'yes' : '**no**'} |`),
  ];
}
