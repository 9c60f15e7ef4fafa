import { cpus, loadavg } from 'node:os';
import { ACCOUNT_ID, FakeArm, mapping, VAULT_ID } from '../test/runbook/fake-arm';
import { runRunbookProcess } from '../test/runbook/harness';
import { locatePwsh } from '../test/runbook/pwsh';

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
  readonly setup: typeof RUNBOOK_BENCH;
  readonly method: string;
  readonly points: RunbookPoint[];
}

async function once(maxConcurrency: number): Promise<RunbookRun> {
  const b = RUNBOOK_BENCH;
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

export async function benchRunbook(quick = false): Promise<RunbookBench> {
  const lookup = locatePwsh();
  if (!lookup.found) throw new Error(`runbook bench: no PowerShell (${lookup.missing})`);
  const before = loadavg()[0]!;
  const points: RunbookPoint[] = [];
  for (const maxConcurrency of RUNBOOK_BENCH.maxConcurrency) {
    const runs: RunbookRun[] = [];
    for (let i = 0; i < (quick ? 1 : RUNBOOK_BENCH.runs); i++) runs.push(await once(maxConcurrency));
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
    setup: RUNBOOK_BENCH,
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
