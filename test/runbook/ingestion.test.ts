import { contractReport, coverageProblems } from './contract';
import { AGENT_TABLE, RUN_TABLE, rowProblems } from './estate-schema';
import {
  ACCOUNT_ID,
  FakeArm,
  mapping,
  protectedItem,
  VAULT_ID,
  type FakeArmOptions,
  type JsonObject,
  type Reply,
} from './fake-arm';
import {
  FakeIngestion,
  INGESTION_API_VERSION,
  MONITOR_AUDIENCE,
  type FakeIngestionOptions,
  type IngestionRequest,
} from './fake-ingestion';
import {
  closeWorkers,
  runRunbook,
  type FleetSummary,
  type JobParameters,
  type RunResult,
  type RunbookSummary,
} from './harness';
import { expectOutputContract } from './output-contract';
import { locatePwsh, type Pwsh } from './pwsh';

/**
 * Issue 26: the runbook's rows for Log Analytics, sent through the Logs Ingestion API to a fake data
 * collection endpoint on loopback (fake-ingestion.ts), with real pwsh. Without pwsh the scenarios are
 * skipped locally and fail under CI=true, as in the execution-*.test.ts files.
 */
const lookup = locatePwsh();
const inCi = process.env.CI === 'true';
const RULE_ID = 'dcr-0123456789abcdef0123456789abcdef';
const NOW = '2026-11-30T00:00:00Z';
const ARM_AUDIENCE = 'https://management.azure.com/';
const AGENT = AGENT_TABLE.stream;
const RUN = RUN_TABLE.stream;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The summary's ingestion section (schema version 3). */
interface IngestionSection {
  state: 'NotConfigured' | 'Sent' | 'Failed';
  endpoint: string | null;
  ruleId: string | null;
  runId: string | null;
  timeGenerated: string | null;
  streams: Record<
    string,
    { rows: number; rowsSent: number; rowsNotSent: number; batches: number; batchesFailed: number }
  >;
  rowsSent: number;
  rowsNotSent: number;
  failures: {
    stream: string;
    batch: number | null;
    rows: number;
    status: number | null;
    errorCode: string;
    errorMessage: string;
    requestId: string | null;
    attempts: number;
  }[];
  outcomeBeforeIngestion: string;
  message: string;
}
const ingestionOf = (r: RunResult) => (r.summary as unknown as { ingestion: IngestionSection }).ingestion;
const fleetOf = (r: RunResult) => r.summary as unknown as FleetSummary;

let pwsh: Pwsh;
/** Scenarios declared and passed in this file: the contract coverage is asserted only when all ran and passed. */
let declared = 0;
let passed = 0;
const describeRuns = lookup.found ? describe : describe.skip;
if (!lookup.found) {
  if (inCi) {
    it('fails when CI=true and no pwsh is found (the ingestion scenarios must run in CI)', () => {
      throw new Error(`No PowerShell for the ingestion scenarios: ${lookup.missing}`);
    });
  } else {
    console.log(`ingestion scenarios skipped: no PowerShell found (${lookup.missing})`);
  }
} else {
  pwsh = lookup.pwsh;
}

interface Scenario {
  arm: FakeArm;
  ingestion: FakeIngestion;
  run: (params: JobParameters | JobParameters[]) => Promise<RunResult[]>;
}

const job = (arm: FakeArm, extra: Record<string, string | boolean> = {}): JobParameters => ({
  vaultresourceid: VAULT_ID,
  autoupdateaction: 'Enabled',
  automationaccountarmid: ACCOUNT_ID,
  providers: 'A2A,InMageRcm',
  armendpoint: arm.armEndpoint,
  timeoutseconds: '60',
  reporttimeutc: NOW,
  ...extra,
});
const fleetJob = (
  arm: FakeArm,
  ids: string[],
  extra: Record<string, string | boolean> = {},
): JobParameters => {
  const params: Record<string, string | boolean> = { ...job(arm, extra), vaultresourceids: ids.join(',') };
  delete params.vaultresourceid;
  return params;
};
/** The two ingestion parameters, as the job schedule sends them (lower-cased). */
const sink = (ingestion: FakeIngestion) => ({
  ingestionendpoint: ingestion.endpoint,
  ingestionruleid: RULE_ID,
});

/** The output contract, and the token rules: each audience only to its own host, none ever written out. */
function expectContract(
  arm: FakeArm,
  ingestion: FakeIngestion,
  result: Awaited<ReturnType<typeof runRunbook>>,
) {
  expectOutputContract(arm, result);
  for (const r of result.runs) {
    expect(r.output[0]).not.toContain('allMachines');
  }
  expect(ingestion.violations).toEqual([]);
  const audienceOf = (auth: string | undefined) =>
    arm.tokenAudience.get(/^Bearer (.+)$/.exec(auth ?? '')?.[1] ?? '');
  for (const q of arm.arm()) expect(audienceOf(q.headers.authorization)).toBe(ARM_AUDIENCE);
  for (const q of ingestion.requests) expect(audienceOf(q.headers.authorization)).toBe(MONITOR_AUDIENCE);
}

function scenario(
  name: string,
  options: Partial<FakeArmOptions>,
  hook: FakeIngestionOptions['hook'],
  body: (s: Scenario) => Promise<void>,
): void {
  declared++;
  it.concurrent(name, async () => {
    const arm = await new FakeArm({ vaultId: VAULT_ID, mappings: [], ...options }).start();
    const ingestion = await new FakeIngestion({
      ruleId: RULE_ID,
      tokenAudience: (t) => arm.tokenAudience.get(t),
      hook,
    }).start();
    arm.contract.scenario = name;
    ingestion.contract.scenario = name;
    try {
      await body({
        arm,
        ingestion,
        run: async (params) => {
          const result = await runRunbook(pwsh, Array.isArray(params) ? params : [params], arm.identityEnv);
          expectContract(arm, ingestion, result);
          return result.runs;
        },
      });
      passed++;
    } finally {
      await Promise.all([arm.close(), ingestion.close()]);
    }
  });
}

// ------------------------------------------------------------------------------ estate fixtures
const a2aAgent = (name: string, vault: string, expiry: string, update = false): JsonObject =>
  protectedItem(
    name,
    {
      provider: 'A2A',
      agentVersion: '9.62.1.1',
      agentExpiryDate: expiry,
      isReplicationAgentUpdateRequired: update,
      isReplicationAgentCertificateUpdateRequired: false,
    },
    vault,
  );
const rcmAgent = (name: string, vault: string, version: string, reasons: string[] = []): JsonObject =>
  protectedItem(
    name,
    {
      provider: 'InMageRcm',
      mobilityAgentDetails: {
        version,
        latestVersion: '9.63.7300.1',
        agentVersionExpiryDate: '2027-08-01T00:00:00Z',
        isUpgradeable: reasons.length ? 'false' : 'true',
        latestUpgradableVersionWithoutReboot: '9.63.7300.1',
        reasonsBlockingUpgrade: reasons,
      },
      agentUpgradeState: 'None',
    },
    vault,
  );
const enabled = (name: string, vault = VAULT_ID) =>
  mapping(name, { status: 'Enabled', account: ACCOUNT_ID, auth: 'SystemAssignedIdentity' }, vault);

const vaultB = VAULT_ID.replace(/vault-a$/, 'vault-b');
const vaultC = VAULT_ID.replace(/vault-a$/, 'vault-c');
const lower = (id: string) => id.toLowerCase().replace(/\/$/, '');
const uploads = (ingestion: FakeIngestion, stream: string) =>
  ingestion.requests.filter((q) => q.stream === stream);
const rowsOfRun = (ingestion: FakeIngestion, stream: string, runId: string) =>
  ingestion.rows(stream).filter((row) => row.RunId === runId);
/** A reply for the first `times` uploads matching `when`, then the endpoint's own answer. */
function firstTimes(times: number, when: (q: IngestionRequest) => boolean, reply: (n: number) => Reply) {
  let n = 0;
  return (q: IngestionRequest): Reply | undefined => {
    if (!when(q) || n >= times) return undefined;
    n++;
    return reply(n);
  };
}
const ingestionError = (status: number, code: string, headers: Record<string, string> = {}): Reply => ({
  status,
  headers,
  body: { error: { code, message: `The service answered ${code}.` } },
});

describeRuns('the runbook sends its rows to Log Analytics (Logs Ingestion API, fake endpoint)', () => {
  afterAll(() => {
    closeWorkers();
    // Jest gives this file its own module registry: the coverage below is this file's scenarios only.
    console.log(contractReport('the ingestion scenarios (test/runbook/ingestion.test.ts)'));
    // When every scenario here ran and passed: the upload was exercised under the Logs Ingestion contract
    // and answered at least once with the specification's own example (204, no body), and the token for
    // https://monitor.azure.com was asked for under the managed-identity endpoint's contract.
    if (passed === declared) {
      const problems = coverageProblems(
        ['Upload@2023-01-01', 'ManagedIdentity_GetToken@2019-08-01'],
        ['Upload@2023-01-01'],
      );
      if (problems) throw new Error(`ingestion.test.ts: ${problems}`);
    }
  });

  scenario(
    'sends a fleet night as one row per machine (every machine, not the listed few) and one row per vault, matching the summary; a dry run sends its judgement too',
    {
      otherVaults: [vaultB, vaultC],
      mappings: [mapping('a0'), mapping('a1'), enabled('b0', vaultB), mapping('c0', {}, vaultC)],
      protectedItems: [
        a2aAgent('vm-a1', VAULT_ID, '2027-06-01T00:00:00Z'),
        a2aAgent('vm-a2', VAULT_ID, '2026-12-10T00:00:00Z'),
        a2aAgent('vm-a3', VAULT_ID, '2027-06-01T00:00:00Z', true),
        rcmAgent('rcm-a4', VAULT_ID, '9.63.7300.1'),
        rcmAgent('rcm-a5', VAULT_ID, '9.60.1.1', ['AgentNoHeartbeat']),
        a2aAgent('vm-b1-\u00fc\u2713', vaultB, '2026-10-01T00:00:00Z'),
        rcmAgent('rcm-b2', vaultB, '9.62.7100.1'),
      ],
      protectedItemPageSize: 3,
      // vault-c: the identity has no role on it (its night is Failed, its agents not read).
      hook: (r) =>
        r.path.toLowerCase().startsWith(vaultC.toLowerCase())
          ? { status: 403, body: { error: { code: 'AuthorizationFailed', message: 'No role on vault-c.' } } }
          : undefined,
    },
    undefined,
    async ({ arm, ingestion, run }) => {
      const [night] = await run(
        fleetJob(arm, [VAULT_ID, vaultB, vaultC], { ...sink(ingestion), maxagentslisted: '1' }),
      );
      const s = fleetOf(night!);
      expect(s.outcome).toBe('PartiallyFailed');
      const ing = ingestionOf(night!);
      expect(ing.state).toBe('Sent');
      expect(ing.outcomeBeforeIngestion).toBe('PartiallyFailed');
      expect(ing.runId).toMatch(GUID);
      expect([ing.endpoint, ing.ruleId, ing.timeGenerated]).toEqual([
        ingestion.endpoint,
        RULE_ID,
        '2026-11-30T00:00:00.000Z',
      ]);

      // One token for Azure Monitor, asked once from the same identity endpoint; the ARM token apart.
      expect(
        arm
          .identity()
          .map((q) => q.query.get('resource'))
          .sort(),
      ).toEqual([ARM_AUDIENCE, MONITOR_AUDIENCE]);
      // One upload per stream: the rule's immutable id, the declared stream, the API version, JSON.
      expect(ingestion.requests.map((q) => [q.method, q.path, q.query.get('api-version'), q.status])).toEqual(
        [
          ['POST', `/dataCollectionRules/${RULE_ID}/streams/${RUN}`, INGESTION_API_VERSION, 204],
          ['POST', `/dataCollectionRules/${RULE_ID}/streams/${AGENT}`, INGESTION_API_VERSION, 204],
        ],
      );
      for (const q of ingestion.requests) expect(q.headers['content-type']).toMatch(/^application\/json/);

      // Machines: exactly one row per machine judged, per vault and status as the summary counts them,
      // although the summary lists only one machine (MaxAgentsListed 1).
      const agentRows = rowsOfRun(ingestion, AGENT, ing.runId!);
      const judged = s.sections.reduce(
        (n, x) => n + Object.values(x.agents!.counts).reduce((a, b) => a + b, 0),
        0,
      );
      expect(judged).toBe(7);
      expect(agentRows).toHaveLength(judged);
      // A fleet's summary caps its machine list over the whole job (MaxAgentsListed 1): one machine in all.
      expect(s.sections.reduce((n, x) => n + x.agents!.machines.length, 0)).toBe(1);
      for (const x of s.sections) {
        const mine = agentRows.filter((row) => row.VaultId === lower(x.vault));
        const byStatus: Record<string, number> = {};
        for (const row of mine) byStatus[String(row.Status)] = (byStatus[String(row.Status)] ?? 0) + 1;
        expect(byStatus).toEqual(
          Object.fromEntries(Object.entries(x.agents!.counts).filter(([, n]) => n > 0)),
        );
        // The listed machines are sent as the summary shows them.
        for (const m of x.agents!.machines) {
          expect(mine).toContainEqual(
            expect.objectContaining({
              Machine: m.name,
              Provider: m.provider,
              AgentVersion: m.agentVersion ?? '',
              Status: m.status,
              Reasons: m.reasons.join(','),
            }),
          );
        }
      }
      expect(new Set(agentRows.map((row) => row.Machine))).toEqual(
        new Set(['vm-a1', 'vm-a2', 'vm-a3', 'rcm-a4', 'rcm-a5', 'vm-b1-\u00fc\u2713', 'rcm-b2']),
      );
      const byName = Object.fromEntries(agentRows.map((row) => [String(row.Machine), row]));
      expect(byName['vm-b1-\u00fc\u2713']).toEqual({
        TimeGenerated: '2026-11-30T00:00:00.000Z',
        RunId: ing.runId,
        VaultId: lower(vaultB),
        Machine: 'vm-b1-\u00fc\u2713',
        Provider: 'A2A',
        AgentVersion: '9.62.1.1',
        ExpiryDate: '2026-10-01T00:00:00.000Z',
        Status: 'OutOfSupport',
        Reasons: 'expired:2026-10-01',
      });
      expect([byName['rcm-a5']!.Status, byName['rcm-a5']!.Reasons, byName['rcm-a5']!.ExpiryDate]).toEqual([
        'Blocked',
        'blocked:AgentNoHeartbeat',
        '2027-08-01T00:00:00.000Z',
      ]);
      expect([byName['vm-a1']!.Status, byName['vm-a1']!.Reasons]).toEqual(['Current', '']);

      // Vaults: one row each, with the section's counts, outcome and measured duration.
      const runRows = rowsOfRun(ingestion, RUN, ing.runId!);
      expect(runRows).toEqual(
        s.sections.map((x) => ({
          TimeGenerated: '2026-11-30T00:00:00.000Z',
          RunId: ing.runId,
          VaultId: lower(x.vault),
          MappingsListed: x.counts.listed,
          MappingsChanged: x.counts.succeeded,
          MappingsFailed: x.counts.failed,
          Outcome: x.outcome,
          DurationSeconds: x.durationSeconds,
        })),
      );
      expect(runRows.map((row) => [row.Outcome, row.MappingsListed, row.MappingsChanged])).toEqual([
        ['AgentsNeedAttention', 2, 2],
        ['AgentsNeedAttention', 1, 0],
        ['Failed', 0, 0],
      ]);
      expect(s.sections.every((x) => x.durationSeconds! > 0 && x.durationSeconds! < 60)).toBe(true);
      expect(ing.streams).toEqual({
        [RUN]: { rows: 3, rowsSent: 3, rowsNotSent: 0, batches: 1, batchesFailed: 0 },
        [AGENT]: { rows: 7, rowsSent: 7, rowsNotSent: 0, batches: 1, batchesFailed: 0 },
      });
      for (const row of [...agentRows, ...runRows])
        expect(rowProblems(row.Machine ? AGENT : RUN, row)).toEqual([]);

      // A dry run writes nothing to the vaults, and its judgement still reaches the workspace, under a new run id.
      const writes = arm.writes().length;
      const [dry] = await run(fleetJob(arm, [VAULT_ID, vaultB], { ...sink(ingestion), dryrun: true }));
      expect(arm.writes()).toHaveLength(writes);
      const d = ingestionOf(dry!);
      expect(dry!.summary.outcome).toBe('DryRun');
      expect(d.state).toBe('Sent');
      expect(d.runId).not.toBe(ing.runId);
      expect(rowsOfRun(ingestion, RUN, d.runId!).map((row) => [row.Outcome, row.MappingsChanged])).toEqual([
        ['DryRun', 0],
        ['DryRun', 0],
      ]);
      expect(rowsOfRun(ingestion, AGENT, d.runId!)).toHaveLength(7);
      // The Monitor token of each job was asked for once.
      expect(arm.identity().filter((q) => q.query.get('resource') === MONITOR_AUDIENCE)).toHaveLength(2);
    },
  );

  scenario(
    'retries an upload answered 429 then 503, each waited for as Retry-After asks, and it is accepted; the outcome is the reconciliation one',
    { mappings: [enabled('ok')], protectedItems: [a2aAgent('vm-1', VAULT_ID, '2027-06-01T00:00:00Z')] },
    firstTimes(
      2,
      (q) => q.stream === RUN,
      (n) =>
        n === 1
          ? ingestionError(429, 'TooManyRequests', { 'Retry-After': '1' })
          : ingestionError(503, 'ServiceUnavailable', { 'Retry-After': '1' }),
    ),
    async ({ arm, ingestion, run }) => {
      const [r] = await run(job(arm, sink(ingestion)));
      expect(r!.summary.outcome).toBe('NoChange');
      const ing = ingestionOf(r!);
      expect(ing.state).toBe('Sent');
      expect(ing.failures).toEqual([]);
      const runUploads = uploads(ingestion, RUN);
      expect(runUploads.map((q) => q.status)).toEqual([429, 503, 204]);
      expect(new Set(runUploads.map((q) => q.body)).size).toBe(1);
      expect(runUploads[1]!.at - runUploads[0]!.at).toBeGreaterThanOrEqual(950);
      expect(runUploads[2]!.at - runUploads[1]!.at).toBeGreaterThanOrEqual(950);
      expect(uploads(ingestion, AGENT).map((q) => q.status)).toEqual([204]);
      expect(ingestion.rows(RUN)).toHaveLength(1);
      expect(r!.verbose.join('\n')).toMatch(/HTTP 429 from Post/);
    },
  );
  // The same estate served twice, to compare a night with and without a failing workspace.
  const estate = (): Omit<FakeArmOptions, 'vaultId'> => ({
    mappings: [mapping('m0'), mapping('m1'), enabled('ok'), mapping('rcm0', { provider: 'InMageRcm' })],
    protectedItems: [
      a2aAgent('vm-1', VAULT_ID, '2027-06-01T00:00:00Z'),
      a2aAgent('vm-2', VAULT_ID, '2027-06-01T00:00:00Z', true),
      rcmAgent('rcm-1', VAULT_ID, '9.63.7300.1'),
    ],
  });
  const comparable = (s: RunbookSummary) => ({
    counts: s.counts,
    // Request ids are the fake's random ones.
    mappings: s.mappings.map((m) => ({ ...m, requestId: typeof m.requestId })),
    agents: s.agents,
  });

  scenario(
    'fails when an upload is always refused (503): retried, then reported in the summary and as IngestionFailed; the reconciliation is the same as without ingestion, which sends nothing',
    estate(),
    (q) =>
      q.stream === AGENT ? ingestionError(503, 'ServiceUnavailable', { 'Retry-After': '0' }) : undefined,
    async ({ arm, ingestion, run }) => {
      // The reference night: a fake ARM of its own, no ingestion parameters: nothing sent, no Monitor token.
      const plain = await new FakeArm({ vaultId: VAULT_ID, ...estate() }).start();
      let reference: RunResult;
      try {
        const result = await runRunbook(pwsh, [job(plain)], plain.identityEnv);
        expectContract(plain, ingestion, result);
        reference = result.runs[0]!;
      } finally {
        await plain.close();
      }
      expect(reference.summary.outcome).toBe('Succeeded');
      expect(ingestion.requests).toEqual([]);
      expect(plain.identity().map((q) => q.query.get('resource'))).toEqual([ARM_AUDIENCE]);
      const none = ingestionOf(reference);
      expect([none.state, none.runId, none.rowsSent, none.failures]).toEqual(['NotConfigured', null, 0, []]);
      const [r] = await run(job(arm, { ...sink(ingestion), maxretries: '2' }));
      // The vaults saw exactly what they see without ingestion.
      expect(comparable(r!.summary)).toEqual(comparable(reference.summary));
      const patches = (a: FakeArm) =>
        a
          .writes()
          .map((q) => [q.method, q.path, q.body].join(' '))
          .sort();
      expect(patches(arm)).toEqual(patches(plain));
      expect([...arm.mappings.values()]).toEqual([...plain.mappings.values()]);
      // The job says the rows were not all sent, after the summary (it throws).
      expect(r!.summary.outcome).toBe('IngestionFailed');
      expect(r!.threw).toBe(true);
      const ing = ingestionOf(r!);
      expect(ing.state).toBe('Failed');
      expect(ing.outcomeBeforeIngestion).toBe('Succeeded');
      expect([ing.rowsSent, ing.rowsNotSent]).toEqual([1, 3]);
      expect(ing.streams[AGENT]).toEqual({
        rows: 3,
        rowsSent: 0,
        rowsNotSent: 3,
        batches: 1,
        batchesFailed: 1,
      });
      expect(ing.streams[RUN]).toEqual({
        rows: 1,
        rowsSent: 1,
        rowsNotSent: 0,
        batches: 1,
        batchesFailed: 0,
      });
      const refused = uploads(ingestion, AGENT);
      expect(refused.map((q) => q.status)).toEqual([503, 503, 503]);
      expect(ing.failures).toEqual([
        {
          stream: AGENT,
          batch: 1,
          rows: 3,
          status: 503,
          errorCode: 'ServiceUnavailable',
          errorMessage: 'The service answered ServiceUnavailable.',
          requestId: expect.stringMatching(GUID),
          attempts: 3,
        },
      ]);
      expect(r!.summary.message).toContain('3 of 4 row(s) were not sent to Log Analytics');
      expect(r!.summary.message).toContain('Before sending, the outcome was Succeeded');
      expect(r!.warnings.join('\n')).toMatch(/Custom-AsrMobilityAgent_CL was not sent: ServiceUnavailable/);
      // The vault's row did arrive, and says how the reconciliation went.
      expect(ingestion.rows(RUN).map((row) => [row.Outcome, row.MappingsChanged])).toEqual([
        ['Succeeded', 3],
      ]);
    },
  );

  scenario(
    'fails when the rule refuses an upload (400): sent once, not retried; a worse reconciliation outcome (Failed) stands and its message says what was not sent',
    {
      mappings: [mapping('m0')],
      hook: (r) =>
        r.method === 'PATCH'
          ? { status: 400, body: { error: { code: 'InvalidInput', message: 'Refused.' } } }
          : undefined,
    },
    (q) => (q.stream === RUN ? ingestionError(400, 'InvalidStream') : undefined),
    async ({ arm, ingestion, run }) => {
      const [r] = await run(job(arm, sink(ingestion)));
      expect(r!.summary.outcome).toBe('Failed');
      expect(r!.summary.mappings[0]!.errorCode).toBe('InvalidInput');
      const ing = ingestionOf(r!);
      expect([ing.state, ing.outcomeBeforeIngestion, ing.rowsNotSent]).toEqual(['Failed', 'Failed', 1]);
      expect(ing.failures.map((f) => [f.stream, f.status, f.errorCode, f.attempts])).toEqual([
        [RUN, 400, 'InvalidStream', 1],
      ]);
      expect(uploads(ingestion, RUN)).toHaveLength(1);
      expect(r!.summary.message).toMatch(/failed.*1 of 1 row\(s\) were not sent to Log Analytics/);
      // No protected items, so no machine rows and nothing sent to that stream.
      expect(uploads(ingestion, AGENT)).toEqual([]);
      expect(ing.streams[AGENT]).toEqual({
        rows: 0,
        rowsSent: 0,
        rowsNotSent: 0,
        batches: 0,
        batchesFailed: 0,
      });
    },
  );

  (() => {
    // About 9.3 kB a row (long names keep the run short): 120 machines are over 1 MB of rows.
    const long = (i: number) => `vm-${String(i).padStart(4, '0')}-${'x'.repeat(9000)}`;
    const many = Array.from({ length: 120 }, (_, i) => a2aAgent(long(i), VAULT_ID, '2027-06-01T00:00:00Z'));
    const huge = a2aAgent(`vm-huge-${'y'.repeat(1_000_000)}`, vaultB, '2027-06-01T00:00:00Z');
    scenario(
      'splits more than 1 MB of rows into uploads under the limit, every row sent once and in order; a row alone over the limit is reported, not sent',
      {
        otherVaults: [vaultB],
        mappings: [enabled('ok'), enabled('b0', vaultB)],
        protectedItems: [...many, huge, a2aAgent('vm-b', vaultB, '2027-06-01T00:00:00Z')],
        protectedItemPageSize: 60,
      },
      undefined,
      async ({ arm, ingestion, run }) => {
        const [r] = await run(job(arm, { ...sink(ingestion), maxagentslisted: '0' }));
        expect(r!.summary.outcome).toBe('NoChange');
        const sent = uploads(ingestion, AGENT);
        expect(sent.reduce((n, q) => n + q.bytes, 0)).toBeGreaterThan(1024 * 1024);
        expect(sent).toHaveLength(2);
        for (const q of sent) {
          expect(q.status).toBe(204);
          expect(q.bytes).toBeLessThanOrEqual(1_000_000);
          expect(q.bytes).toBe(Buffer.byteLength(q.body));
        }
        expect(ingestion.rows(AGENT).map((row) => row.Machine)).toEqual(many.map((_, i) => long(i)));
        expect(ingestionOf(r!).streams[AGENT]).toEqual({
          rows: 120,
          rowsSent: 120,
          rowsNotSent: 0,
          batches: 2,
          batchesFailed: 0,
        });
        expect(r!.summary.agents!.machines).toEqual([]);
        expect((r!.summary as unknown as { durationSeconds: number }).durationSeconds).toBe(
          ingestion.rows(RUN)[0]!.DurationSeconds,
        );

        // vault-b: one machine's row is over 1 MB by itself; the other row and the vault's row go.
        const [b] = await run(
          job(arm, { ...sink(ingestion), vaultresourceid: vaultB, maxagentslisted: '0' }),
        );
        expect(b!.summary.outcome).toBe('IngestionFailed');
        const ing = ingestionOf(b!);
        expect(ing.streams[AGENT]).toEqual({
          rows: 2,
          rowsSent: 1,
          rowsNotSent: 1,
          batches: 1,
          batchesFailed: 0,
        });
        expect(ing.failures).toEqual([
          expect.objectContaining({
            stream: AGENT,
            batch: null,
            rows: 1,
            errorCode: 'RowTooLarge',
            attempts: 0,
          }),
        ]);
        expect(rowsOfRun(ingestion, AGENT, ing.runId!).map((row) => row.Machine)).toEqual(['vm-b']);
        expect(rowsOfRun(ingestion, RUN, ing.runId!)).toHaveLength(1);
      },
    );
  })();

  scenario(
    'fails on ingestion parameters that are incomplete or malformed, before any request (InvalidInput)',
    estate(),
    undefined,
    async ({ arm, ingestion, run }) => {
      const cases: [Record<string, string>, RegExp][] = [
        [{ ingestionendpoint: ingestion.endpoint }, /IngestionEndpoint .* without IngestionRuleId/],
        [{ ingestionruleid: RULE_ID }, /IngestionRuleId .* without IngestionEndpoint/],
        [
          { ingestionendpoint: 'http://dce.westeurope-1.ingest.monitor.azure.com', ingestionruleid: RULE_ID },
          /must use https/,
        ],
        [
          { ingestionendpoint: `${ingestion.endpoint}/dataCollectionRules`, ingestionruleid: RULE_ID },
          /no path/,
        ],
        [{ ingestionendpoint: `${ingestion.endpoint}?x=1`, ingestionruleid: RULE_ID }, /no path, query/],
        [{ ingestionendpoint: ingestion.endpoint, ingestionruleid: 'dcr-0123' }, /dcr- followed by 32 hex/],
        [
          {
            ingestionendpoint: ingestion.endpoint,
            ingestionruleid: '/subscriptions/x/dataCollectionRules/r',
          },
          /immutable id/,
        ],
      ];
      const runs = await run(cases.map(([extra]) => job(arm, extra)));
      runs.forEach((r, i) => {
        expect(r.summary.outcome).toBe('InvalidInput');
        expect(r.summary.message).toMatch(cases[i]![1]);
      });
      expect(arm.requests).toEqual([]);
      expect(ingestion.requests).toEqual([]);
    },
  );
});

describe('the fake ingestion endpoint holds the contract the runbook is tested against', () => {
  it('fails when an answer the fake (or a scenario) serves drifts from the contract: a status it does not declare, a body on 204, an error without its shape', async () => {
    const answers: Reply[] = [
      { status: 200, body: { accepted: 1 } },
      { status: 204, body: { accepted: 1 } },
      { status: 503, body: { message: 'busy' } },
      { status: 204 },
    ];
    const ingestion = await new FakeIngestion({
      ruleId: RULE_ID,
      tokenAudience: () => MONITOR_AUDIENCE,
      hook: () => answers.shift(),
    }).start();
    try {
      for (let i = 0; i < 4; i++)
        await fetch(
          `${ingestion.endpoint}/dataCollectionRules/${RULE_ID}/streams/${RUN}?api-version=${INGESTION_API_VERSION}`,
          {
            method: 'POST',
            headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
            body: JSON.stringify([{ ...good }]),
          },
        );
      expect(ingestion.violations).toEqual([
        expect.stringMatching(/answered 200: status 200 is not a response the contract declares \(204\)/),
        expect.stringMatching(/answered 204: the contract declares no body for this status/),
        expect.stringMatching(
          /answered 503: the fake's error drifts from ARM's error shape: .*required property 'error'/,
        ),
      ]);
    } finally {
      await ingestion.close();
    }
  });

  const good = {
    TimeGenerated: '2026-11-30T00:00:00.000Z',
    RunId: '6f1c2a8e-0b7d-4c1e-9a51-3d2f7e6b9c10',
    VaultId: lower(VAULT_ID),
    MappingsListed: 2,
    MappingsChanged: 1,
    MappingsFailed: 0,
    Outcome: 'Succeeded',
    DurationSeconds: 1.5,
  };

  it('fails rows that do not fit the tables: a column missing, undeclared or of the wrong type', () => {
    expect(rowProblems(RUN, good)).toEqual([]);
    const missing: Record<string, unknown> = { ...good };
    delete missing.Outcome;
    expect(rowProblems(RUN, missing)).toEqual(["AsrMobilityRun_CL: column 'Outcome' is missing"]);
    expect(rowProblems(RUN, { ...good, Extra: 'x' })).toEqual([
      "AsrMobilityRun_CL: column 'Extra' is not declared",
    ]);
    expect(
      rowProblems(RUN, { ...good, MappingsListed: 2.5, TimeGenerated: '30/11/2026', RunId: null }),
    ).toEqual([
      'AsrMobilityRun_CL.TimeGenerated (datetime) is "30/11/2026", not an ISO 8601 UTC date and time',
      'AsrMobilityRun_CL.RunId (string) is null',
      'AsrMobilityRun_CL.MappingsListed (int) is 2.5, not a 32-bit integer',
    ]);
    expect(rowProblems('Custom-Other_CL', good)).toEqual(["no table declares stream 'Custom-Other_CL'"]);
  });

  it('fails uploads with a token for another audience, another rule, an undeclared stream, over 1 MB or with a bad row; the contract refusals name the violation', async () => {
    const audiences: Record<string, string> = { monitor: MONITOR_AUDIENCE, arm: ARM_AUDIENCE };
    const ingestion = await new FakeIngestion({
      ruleId: RULE_ID,
      tokenAudience: (t) => audiences[t],
    }).start();
    try {
      const send = async (url: string, headers: Record<string, string>, body: string) => {
        const res = await fetch(`${ingestion.endpoint}${url}`, { method: 'POST', headers, body });
        return { status: res.status, text: await res.text() };
      };
      const json = { Authorization: 'Bearer monitor', 'Content-Type': 'application/json' };
      const post = async (token: string, rule: string, stream: string, body: string) =>
        (
          await send(
            `/dataCollectionRules/${rule}/streams/${stream}?api-version=${INGESTION_API_VERSION}`,
            { ...json, Authorization: `Bearer ${token}` },
            body,
          )
        ).status;
      const rows = JSON.stringify([good]);
      expect(await post('monitor', RULE_ID, RUN, rows)).toBe(204);
      expect(await post('arm', RULE_ID, RUN, rows)).toBe(401);
      expect(await post('monitor', 'dcr-ffffffffffffffffffffffffffffffff', RUN, rows)).toBe(404);
      expect(await post('monitor', RULE_ID, 'Custom-Other_CL', rows)).toBe(400);
      expect(await post('monitor', RULE_ID, RUN, JSON.stringify([{ ...good, MappingsFailed: '0' }]))).toBe(
        400,
      );
      const big = JSON.stringify(Array.from({ length: 3300 }, () => good));
      expect(Buffer.byteLength(big)).toBeGreaterThan(1024 * 1024);
      expect(await post('monitor', RULE_ID, RUN, big)).toBe(413);
      // Refused by the contract (test/fixtures/contracts/logs-ingestion-2023-01-01.json), in the API's error shape.
      const upload = `/dataCollectionRules/${RULE_ID}/streams/${RUN}`;
      const refused = [
        await send(`${upload}?api-version=2021-11-01-preview`, json, rows),
        await send(
          `${upload}?api-version=${INGESTION_API_VERSION}`,
          { 'Content-Type': 'application/json' },
          rows,
        ),
        await send(
          `${upload}?api-version=${INGESTION_API_VERSION}`,
          { ...json, 'Content-Type': 'text/plain' },
          rows,
        ),
        await send(`/dataCollectionRules/${RULE_ID}?api-version=${INGESTION_API_VERSION}`, json, rows),
      ];
      expect(refused.map((r) => r.status)).toEqual([400, 400, 400, 400]);
      for (const r of refused)
        expect((JSON.parse(r.text) as { error: { message: string } }).error.message).toMatch(
          /^Contract violation: /,
        );
      expect(ingestion.rows(RUN)).toEqual([good]);
      expect(ingestion.violations).toEqual([
        expect.stringMatching(/: 401 InvalidToken: /),
        expect.stringMatching(/: 404 DataCollectionRuleNotFound: /),
        expect.stringMatching(/^contract: .*\(Upload@2023-01-01\): stream 'Custom-Other_CL' is not one of/),
        expect.stringMatching(/^contract: .*\(Upload@2023-01-01\): \$\[0\]\.MappingsFailed: expected int/),
        expect.stringMatching(/: 413 ContentLengthLimitExceeded: /),
        expect.stringMatching(
          /^contract: .*api-version '2021-11-01-preview' is not in the contract for Upload/,
        ),
        expect.stringMatching(/^contract: .*header 'Authorization' is missing/),
        expect.stringMatching(/^contract: .*content type 'text\/plain' is not application\/json/),
        expect.stringMatching(/^contract: .*no contract describes this path on the ingestion endpoint/),
      ]);
    } finally {
      await ingestion.close();
    }
  });
});
