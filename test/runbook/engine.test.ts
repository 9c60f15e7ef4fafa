import { ACCOUNT_ID, FakeArm, mapping, protectedItem, type Recorded } from './fake-arm';
import { closeWorkers, runRunbook, type FleetSummary, type JobParameters, type RunResult } from './harness';
import { expectOutputContract } from './output-contract';
import { locatePwsh, type Pwsh } from './pwsh';

/**
 * The engine (constructs/runbooks/src/engine.ps1): one runspace pool for the job, never a runspace per
 * vault or per mapping. The runbook says on its Verbose stream how many steps ran on how wide a pool and
 * the most runspaces alive in the process at once (Get-Runspace, sampled); the fake ARM sees the
 * requests in flight. Real pwsh against the fake ARM on loopback; skipped without pwsh, except under
 * CI=true (see scenarios.ts, which fails then).
 */
const lookup = locatePwsh();
let pwsh: Pwsh;
if (lookup.found) pwsh = lookup.pwsh;

const SUB = '0d0d0d0d-1111-2222-3333-444444444444';
const vaultIn = (i: number) =>
  `/subscriptions/${SUB}/resourceGroups/rg-${i}/providers/Microsoft.RecoveryServices/vaults/v${i}`;
const ENGINE_LINE =
  /^Engine: (\d+) step\(s\) on one pool of at most (\d+) runspace\(s\); at most (\d+) runspace\(s\) alive in the job\.$/;

interface EngineSeen {
  steps: number;
  width: number;
  alive: number;
}

function engineLine(r: RunResult): EngineSeen {
  const lines = r.verbose.filter((l) => l.startsWith('Engine: '));
  expect(lines).toHaveLength(1);
  const m = ENGINE_LINE.exec(lines[0]!);
  if (!m) throw new Error(`not the engine's line: ${lines[0]}`);
  return { steps: Number(m[1]), width: Number(m[2]), alive: Number(m[3]) };
}

/** A fleet of `count` vaults, every mapping needing the change (a first night), each operation polled. */
async function firstNight(
  count: number,
  extra: Record<string, string>,
): Promise<{ r: RunResult; arm: FakeArm; vaults: string[]; requests: Recorded[] }> {
  const vaults = Array.from({ length: count }, (_, i) => vaultIn(i));
  const arm = await new FakeArm({
    vaultId: vaults[0]!,
    otherVaults: vaults.slice(1),
    mappings: vaults.flatMap((v) => [mapping('m0', {}, v), mapping('m1', {}, v), mapping('m2', {}, v)]),
    protectedItems: vaults.flatMap((v) => [
      protectedItem(
        'vm0',
        {
          provider: 'A2A',
          agentVersion: '9.62.1.1',
          agentExpiryDate: '2027-06-01T00:00:00Z',
          isReplicationAgentUpdateRequired: false,
          isReplicationAgentCertificateUpdateRequired: false,
        },
        v,
      ),
    ]),
    patchPlan: () => ({ mode: 'async', via: 'both', polls: 2, status: 'Succeeded' }),
    pollHeaders: { 'retry-after-ms': '50' },
    maxRequests: 20_000,
  }).start();
  const params: JobParameters = {
    vaultresourceids: vaults.join(','),
    autoupdateaction: 'Enabled',
    automationaccountarmid: ACCOUNT_ID,
    providers: 'A2A',
    armendpoint: arm.armEndpoint,
    timeoutseconds: '300',
    reporttimeutc: '2026-11-30T00:00:00Z',
    ...extra,
  };
  try {
    const result = await runRunbook(pwsh, [params], arm.identityEnv);
    expectOutputContract(arm, result);
    const r = result.runs[0]!;
    const s = r.summary as unknown as FleetSummary;
    expect(s.outcome).toBe('Succeeded');
    expect(s.counts).toMatchObject({ listed: 3 * count, planned: 3 * count, succeeded: 3 * count });
    expect(s.sections.map((x) => x.vault)).toEqual(vaults);
    return { r, arm, vaults, requests: arm.arm() };
  } finally {
    await arm.close();
  }
}

const describeRuns = lookup.found ? describe : describe.skip;

describeRuns('the engine: one runspace pool for the job (real pwsh, fake ARM)', () => {
  afterAll(() => closeWorkers());

  it('keeps the runspaces alive bounded by the pool, the same for 4 vaults as for 60, and for MaxParallelVaults 2 as for 32', async () => {
    const seen: EngineSeen[] = [];
    for (const [count, parallel] of [
      [4, '8'],
      [60, '8'],
      [60, '2'],
      [60, '32'],
    ] as const) {
      const { r, arm } = await firstNight(count, { maxparallelvaults: parallel, maxrequestsinflight: '6' });
      const e = engineLine(r);
      // The pool is as wide as the cap on requests in flight: never a runspace per vault or per mapping.
      expect(e.width).toBe(6);
      // Alive: the job's own runspace and the pool's, whatever the number of vaults or MaxParallelVaults.
      expect(e.alive).toBeGreaterThanOrEqual(2);
      expect(e.alive).toBeLessThanOrEqual(e.width + 1);
      // Steps, not runspaces, grow with the work: per vault an open and a report, per mapping a submit,
      // its polls and a read-back.
      expect(e.steps).toBeGreaterThanOrEqual(count * (2 + 3 * 3));
      expect(arm.peakInFlight).toBeLessThanOrEqual(6);
      seen.push(e);
    }
    expect(new Set(seen.map((e) => e.width)).size).toBe(1);
  }, 300_000);

  it('reconciles one vault after another with MaxParallelVaults 1: no request of a vault before the one before it has ended', async () => {
    const { r, vaults, requests } = await firstNight(5, { maxparallelvaults: '1' });
    const order = requests
      .map((q) => vaults.findIndex((v) => q.path.toLowerCase().startsWith(`${v.toLowerCase()}/`)))
      .filter((i) => i >= 0);
    expect(order.length).toBeGreaterThan(5 * 5);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(engineLine(r).alive).toBeLessThanOrEqual(engineLine(r).width + 1);
  }, 120_000);
});
