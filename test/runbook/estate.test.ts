import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACTS_DIR, contractCoverage, contractReport, coverageProblems } from './contract';
import {
  ACCOUNT_ID,
  FakeArm,
  mapping,
  protectedItem,
  type FakeArmOptions,
  type GraphVault,
  type Mapping,
  type Recorded,
  type Reply,
} from './fake-arm';
import { closeWorkers, runRunbook, type FleetSummary, type JobParameters, type RunResult } from './harness';
import { expectOutputContract, SUCCESS_OUTCOMES } from './output-contract';
import { locatePwsh, type Pwsh } from './pwsh';

/**
 * The runbook at estate scale (issue 27), under real pwsh against the fake ARM on loopback: a fleet of
 * hundreds of vaults side by side under one deadline, discovery through the fake Resource Graph,
 * ARM's throttling headers, and a seeded chaos run over twenty nights. Without pwsh the scenarios are
 * skipped, except under CI=true (see scenarios.ts, which fails then).
 */
const lookup = locatePwsh();
let pwsh: Pwsh;
if (lookup.found) pwsh = lookup.pwsh;

const SUB_A = '0a0a0a0a-1111-2222-3333-444444444444';
const SUB_B = '0b0b0b0b-1111-2222-3333-444444444444';
const SUB_C = '0c0c0c0c-1111-2222-3333-444444444444';
const vaultIn = (sub: string, name: string, rg = 'rg-asr') =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.RecoveryServices/vaults/${name}`;
const under = (r: Recorded, vault: string) => r.path.toLowerCase().startsWith(`${vault.toLowerCase()}/`);
const compliant = (m: Mapping) => {
  const d = m.properties.providerSpecificDetails!;
  return (
    d.agentAutoUpdateStatus === 'Enabled' &&
    String(d.automationAccountArmId).toLowerCase() === ACCOUNT_ID.toLowerCase() &&
    d.automationAccountAuthenticationType === 'SystemAssignedIdentity'
  );
};
const enabled = (name: string, vault: string) =>
  mapping(name, { status: 'Enabled', account: ACCOUNT_ID, auth: 'SystemAssignedIdentity' }, vault);
const current = (name: string, vault: string) =>
  protectedItem(
    name,
    {
      provider: 'A2A',
      agentVersion: '9.62.1.1',
      agentExpiryDate: '2027-06-01T00:00:00Z',
      isReplicationAgentUpdateRequired: false,
      isReplicationAgentCertificateUpdateRequired: false,
    },
    vault,
  );

/** A fleet job as the schedule sends it (lower-cased names), pointed at the fake ARM. */
const fleetJob = (arm: FakeArm, extra: Record<string, string | boolean>): JobParameters => ({
  autoupdateaction: 'Enabled',
  automationaccountarmid: ACCOUNT_ID,
  providers: 'A2A',
  armendpoint: arm.armEndpoint,
  timeoutseconds: '120',
  reporttimeutc: '2026-11-30T00:00:00Z',
  ...extra,
});

async function withArm(
  scenarioName: string,
  options: Partial<FakeArmOptions> & { vaultId: string },
  body: (arm: FakeArm, run: (p: JobParameters | JobParameters[]) => Promise<RunResult[]>) => Promise<void>,
): Promise<void> {
  const arm = await new FakeArm({ mappings: [], ...options }).start();
  arm.contract.scenario = scenarioName;
  try {
    await body(arm, async (params) => {
      const result = await runRunbook(pwsh, Array.isArray(params) ? params : [params], arm.identityEnv);
      expectOutputContract(arm, result);
      return result.runs;
    });
  } finally {
    await arm.close();
  }
}

const fleet = (r: RunResult) =>
  r.summary as unknown as FleetSummary & {
    discovery: {
      state: string;
      found: number;
      excluded: number;
      alreadyListed: number;
      pages: number;
    } | null;
    lists: {
      mappings: { listed: number; truncated: boolean };
      machines: { listed: number; read: number; truncated: boolean };
    };
  };

/** Scenarios declared and passed in this file: the contract coverage is asserted only when all ran and passed. */
let declared = 0;
let passed = 0;
/** One scenario (concurrent), counted; `body` gets its name for the contract report. */
function scenario(name: string, body: (name: string) => Promise<void>, timeout: number): void {
  declared++;
  it.concurrent(
    name,
    async () => {
      await body(name);
      passed++;
    },
    timeout,
  );
}

const describeRuns = lookup.found ? describe : describe.skip;

describeRuns('the runbook at estate scale (real pwsh, fake ARM)', () => {
  afterAll(() => {
    closeWorkers();
    // Jest gives this file its own module registry: the coverage below is this file's scenarios only.
    console.log(contractReport('the estate scenarios (test/runbook/estate.test.ts)'));
    // When every scenario here ran and passed: discovery was exercised under the Resource Graph contract
    // (requests and the fake's answers) and answered at least once with the specification's own example.
    if (passed === declared) {
      const problems = coverageProblems(['Resources@2024-04-01'], ['Resources@2024-04-01']);
      if (problems) throw new Error(`estate.test.ts: ${problems}`);
    }
  });

  scenario(
    'reconciles 500 vaults side by side within the deadline: one answering 403 and one stalling past the request timeout fail alone, each vault in its own section; the summary stays one document under 768 KiB with complete counts',
    async (name) => {
      const vaults = Array.from({ length: 500 }, (_, i) => vaultIn(i % 2 ? SUB_A : SUB_B, `v${i}`));
      const [refused, stalled] = [vaults[7]!, vaults[311]!];
      const mappings = vaults.flatMap((v, i) => [
        i % 10 === 0 ? mapping('m0', {}, v) : enabled('m0', v),
        enabled('m1', v),
      ]);
      const protectedItems = vaults.flatMap((v) =>
        Array.from({ length: 20 }, (_, k) => current(`vm${k}`, v)),
      );
      await withArm(
        name,
        {
          vaultId: vaults[0]!,
          otherVaults: vaults.slice(1),
          mappings,
          protectedItems,
          maxRequests: 4000,
          hook: (r) => {
            if (under(r, refused))
              return {
                status: 403,
                body: { error: { code: 'AuthorizationFailed', message: 'No role on this vault.' } },
              };
            if (under(r, stalled)) return { status: 0 };
            return undefined;
          },
        },
        async (arm, run) => {
          const [r] = await run(
            fleetJob(arm, {
              vaultresourceids: vaults.join(','),
              requesttimeoutseconds: '5',
              maxretries: '1',
              maxagentslisted: '5000',
              timeoutseconds: '600',
            }),
          );
          const s = fleet(r!);
          expect(r!.ms).toBeLessThan(600_000);
          expect(s.outcome).toBe('PartiallyFailed');
          expect(s.sections.map((x) => x.vault)).toEqual(vaults);
          const outcomes = Object.fromEntries(s.sections.map((x) => [x.vault, x.outcome]));
          expect(outcomes[refused]).toBe('Failed');
          expect(outcomes[stalled]).toBe('Failed');
          expect(s.sections.find((x) => x.vault === refused)!.message).toContain('AuthorizationFailed');
          expect(s.sections.find((x) => x.vault === stalled)!.message).toMatch(
            /TransportError|timed? ?out|canceled/i,
          );
          expect(s.vaultOutcomes).toEqual({ Succeeded: 50, NoChange: 448, Failed: 2 });
          // Counts complete although the lists are capped and cut to the budget.
          expect(s.counts).toMatchObject({ listed: 996, planned: 50, succeeded: 50, failed: 0 });
          expect(s.agentCounts.Current).toBe(498 * 20);
          const bytes = Buffer.byteLength(r!.output[0]!, 'utf8');
          console.log(
            `estate: 500 vaults in ${r!.ms} ms, ${arm.arm().length} ARM requests, peak ${arm.peakInFlight} in flight, summary ${bytes} bytes (${s.lists.machines.listed} of ${s.lists.machines.read} machines listed)`,
          );
          expect(bytes).toBeLessThanOrEqual(768 * 1024);
          expect(s.lists.machines.truncated).toBe(true);
          expect(arm.peakInFlight).toBeLessThanOrEqual(16);
          // The stalled vault cost its own requests only: two attempts, then the others went on.
          expect(arm.arm().filter((q) => under(q, stalled))).toHaveLength(2);
          expect(arm.arm().filter((q) => under(q, refused))).toHaveLength(1);
          expect(arm.identity()).toHaveLength(1);
        },
      );
    },
    600_000,
  );

  scenario(
    'discovers vaults by subscription, management group and tag through Resource Graph, page by page; unions with the list, removes exclusions, and reconciles only those',
    async (name) => {
      const tagged = { 'ASR-AutoUpdate': 'enabled' };
      const graph: GraphVault[] = [
        ...Array.from({ length: 5 }, (_, i) => ({
          id: vaultIn(SUB_A, `a${i}`),
          tags: i === 4 ? {} : tagged,
        })),
        {
          id: vaultIn(SUB_B, 'b0').toLowerCase().replace('/subscriptions/', '/subscriptions/'),
          tags: tagged,
        },
        { id: vaultIn(SUB_B, 'b1'), tags: { 'asr-autoupdate': 'disabled' } },
        { id: vaultIn(SUB_C, 'c0'), tags: tagged, managementGroups: ['mg-platform'] },
      ];
      const ids = graph.map((g) => g.id);
      const listed = vaultIn(SUB_C, 'listed');
      const all = [...ids, listed];
      await withArm(
        name,
        {
          vaultId: listed,
          otherVaults: ids,
          mappings: all.map((v) => mapping('m0', {}, v)),
          resourceGraph: { vaults: graph, pageSize: 2 },
        },
        async (arm, run) => {
          const [bySub, byGroup] = await run([
            fleetJob(arm, {
              discoverysubscriptionids: `${SUB_A}, ${SUB_B.toUpperCase()}`,
              discoverytag: 'asr-autoupdate=enabled',
              excludevaultresourceids: vaultIn(SUB_A, 'a1').toLowerCase(),
              vaultresourceids: `${listed},${vaultIn(SUB_A, 'a0')}`,
              skipagentreport: true,
            }),
            fleetJob(arm, { discoverymanagementgroupid: 'mg-platform', discoverytag: 'ASR-AUTOUPDATE' }),
          ]);
          const s = fleet(bySub!);
          expect(s.outcome).toBe('Succeeded');
          const names = s.sections.map((x) => x.vault.split('/').pop());
          // The list first, then what was found (a0 once, a1 excluded, a4 and b1 not tagged so).
          expect(names).toEqual(['listed', 'a0', 'a2', 'a3', 'b0']);
          expect(s.discovery).toMatchObject({ state: 'Complete', found: 5, excluded: 1, alreadyListed: 1 });
          // Ids found in lower case are reconciled with ARM's casing of the fixed segments.
          expect(s.sections[4]!.vault).toContain(
            '/resourceGroups/rg-asr/providers/Microsoft.RecoveryServices/vaults/b0',
          );
          // Three pages of two (five matches), each query scoped and filtered; pages follow $skipToken.
          const subQueries = arm.graphQueries.filter((q) => q.scope.length === 2);
          expect(subQueries).toHaveLength(3);
          expect(subQueries.map((q) => q.scope)).toEqual(
            subQueries.map(() => [SUB_A.toLowerCase(), SUB_B.toLowerCase()]),
          );
          expect(subQueries[0]!.tag).toEqual(['asr-autoupdate', 'enabled']);
          expect(subQueries.map((q) => q.skipToken === undefined)).toEqual([true, false, false]);
          const graphPosts = arm
            .arm()
            .filter((q) => q.path.toLowerCase() === '/providers/microsoft.resourcegraph/resources');
          expect(graphPosts.map((q) => q.query.get('api-version'))).toEqual(
            graphPosts.map(() => '2024-04-01'),
          );
          // Writes reach only the vaults reconciled.
          const excludedOrUntagged = [vaultIn(SUB_A, 'a1'), vaultIn(SUB_A, 'a4'), vaultIn(SUB_B, 'b1')];
          for (const v of excludedOrUntagged) expect(arm.arm().filter((q) => under(q, v))).toEqual([]);
          expect(
            arm.mapping(mapping('m0', {}, vaultIn(SUB_A, 'a1')).id).properties.providerSpecificDetails!
              .agentAutoUpdateStatus,
          ).toBe('Disabled');

          const g = fleet(byGroup!);
          expect(g.sections.map((x) => x.vault)).toEqual([vaultIn(SUB_C, 'c0')]);
          expect(arm.graphQueries.find((q) => q.scope[0] === 'mg-platform')!.tag).toEqual([
            'ASR-AUTOUPDATE',
            undefined,
          ]);
        },
      );
    },
    120_000,
  );

  scenario(
    "follows Resource Graph when it answers with the specification's own example page (rows that are not vaults, a $skipToken of the service's making): the rows are ignored with a warning, the token is sent back as given, the vault on the next page is reconciled",
    async (name) => {
      const example = JSON.parse(
        readFileSync(join(CONTRACTS_DIR, 'examples', 'ResourcesFirstPageQuery.json'), 'utf8'),
      ) as { responses: { '200': { body: { $skipToken: string; data: { id: string }[] } } } };
      const page1 = example.responses['200'].body;
      const vault = vaultIn(SUB_A, 'found');
      const graphBodies: { options?: { $skipToken?: string } }[] = [];
      await withArm(
        name,
        {
          vaultId: vault,
          mappings: [enabled('m0', vault)],
          hook: (r) => {
            if (r.path.toLowerCase() !== '/providers/microsoft.resourcegraph/resources') return undefined;
            const body = JSON.parse(r.body) as { options?: { $skipToken?: string } };
            graphBodies.push(body);
            // The first page is the specification's example, unchanged; the page its token asks for holds the vault.
            if (body.options?.$skipToken === undefined) return { status: 200, body: page1 };
            return {
              status: 200,
              body: { totalRecords: 4, count: 1, resultTruncated: 'false', data: [{ id: vault }] },
            };
          },
        },
        async (arm, run) => {
          const [r] = await run(fleetJob(arm, { discoverysubscriptionids: SUB_A }));
          const s = fleet(r!);
          expect(s.outcome).toBe('NoChange');
          expect(s.sections.map((x) => x.vault)).toEqual([vault]);
          expect(s.discovery).toMatchObject({ state: 'Complete', found: 1, pages: 2 });
          expect((s.discovery as unknown as { message: string }).message).toContain('3 id(s) ignored');
          for (const row of page1.data)
            expect(r!.warnings.join('\n')).toContain(
              `Resource Graph returned '${row.id}', which is not a vault id`,
            );
          expect(graphBodies.map((b) => b.options?.$skipToken)).toEqual([undefined, page1.$skipToken]);
          // The fake's answer matched the example exactly (contract.ts compares them), under the response contract.
          const resources = contractCoverage().find((c) => c.key === 'Resources@2024-04-01')!;
          expect(resources.examples.has(name)).toBe(true);
        },
      );
    },
    120_000,
  );

  scenario(
    'fails when a discovery scope, tag, exclusion or estate parameter is malformed: InvalidInput for each, zero requests',
    async (name) => {
      await withArm(name, { vaultId: vaultIn(SUB_A, 'x') }, async (arm, run) => {
        const cases: Record<string, string | boolean>[] = [
          { discoverysubscriptionids: 'not-a-guid' },
          { discoverysubscriptionids: `${SUB_A},${SUB_A}` },
          { discoverysubscriptionids: `${SUB_A} ,` },
          { discoverymanagementgroupid: 'mg/../other' },
          { discoverymanagementgroupid: 'ends-with-dot.' },
          { discoverysubscriptionids: SUB_A, discoverytag: "env'=x" },
          { discoverysubscriptionids: SUB_A, discoverytag: 'env=a"b' },
          { discoverysubscriptionids: SUB_A, discoverytag: ' env=x' },
          { discoverysubscriptionids: SUB_A, discoverytag: '=x' },
          { discoverytag: 'env=x' },
          {
            discoverysubscriptionids: SUB_A,
            excludevaultresourceids: vaultIn(SUB_A, 'a').replace('/vaults/', '/vault/'),
          },
          { discoverysubscriptionids: SUB_A, excludevaultresourceids: `${vaultIn(SUB_A, 'a')}?x=1` },
          { discoverysubscriptionids: SUB_A, vaultresourceid: vaultIn(SUB_A, 'a') },
          { discoverysubscriptionids: SUB_A, maxparallelvaults: '0' },
          { discoverysubscriptionids: SUB_A, maxparallelvaults: '33' },
          { discoverysubscriptionids: SUB_A, maxrequestsinflight: '65' },
          { discoverysubscriptionids: SUB_A, requesttimeoutseconds: '4' },
          { discoverysubscriptionids: SUB_A, requesttimeoutseconds: '301' },
        ];
        const runs = await run(cases.map((c) => fleetJob(arm, c)));
        expect(runs.map((r) => r.summary.outcome)).toEqual(cases.map(() => 'InvalidInput'));
        const named = [
          'DiscoverySubscriptionIds',
          'DiscoverySubscriptionIds',
          'DiscoverySubscriptionIds',
          'DiscoveryManagementGroupId',
          'DiscoveryManagementGroupId',
          'DiscoveryTag',
          'DiscoveryTag',
          'DiscoveryTag',
          'DiscoveryTag',
          'DiscoveryTag',
          'ExcludeVaultResourceIds',
          'ExcludeVaultResourceIds',
          'VaultResourceId',
          'MaxParallelVaults',
          'MaxParallelVaults',
          'MaxRequestsInFlight',
          'RequestTimeoutSeconds',
          'RequestTimeoutSeconds',
        ];
        expect(runs.map((r, i) => r.summary.message.includes(named[i]!))).toEqual(cases.map(() => true));
        expect(arm.requests).toEqual([]);
      });
    },
    120_000,
  );

  scenario(
    "slows down when ARM's remaining-reads header runs low in one subscription; the other subscription is not held back",
    async (name) => {
      const slow = [0, 1, 2].map((i) => vaultIn(SUB_A, `s${i}`));
      const fast = [0, 1, 2].map((i) => vaultIn(SUB_B, `f${i}`));
      await withArm(
        name,
        {
          vaultId: slow[0]!,
          otherVaults: [...slow.slice(1), ...fast],
          mappings: [...slow, ...fast].map((v) => enabled('m0', v)),
          extraHeaders: (r) => ({
            'x-ms-ratelimit-remaining-subscription-reads': r.path.includes(SUB_A) ? '5' : '11999',
          }),
        },
        async (arm, run) => {
          const [r] = await run(
            fleetJob(arm, { vaultresourceids: [...slow, ...fast].join(','), maxparallelvaults: '6' }),
          );
          expect(fleet(r!).outcome).toBe('NoChange');
          const starts = (sub: string) =>
            arm
              .arm()
              .filter((q) => q.path.includes(sub))
              .map((q) => q.at)
              .sort((a, b) => a - b);
          const [a, b] = [starts(SUB_A), starts(SUB_B)];
          expect([a.length, b.length]).toEqual([6, 6]);
          // 5 reads left of a low-water mark of 100: 950 ms between requests in that subscription once
          // the first answer said so (the three first requests left together): the last three are spaced.
          // (Timestamps are the fake's, whose event loop the other scenarios share: margins are wide.)
          expect(a[5]! - a[0]!).toBeGreaterThanOrEqual(1700);
          // The other subscription was not held back.
          expect(b[5]! - b[0]!).toBeLessThan(a[5]! - a[0]!);
          expect(r!.verbose.join('\n')).toMatch(
            new RegExp(`Subscription ${SUB_A}: ARM reports few requests left.*pacing`),
          );
        },
      );
    },
    120_000,
  );

  scenario(
    'survives a seeded chaos run over 20 nights (429, 500, 503, stalls past the request timeout, dropped connections): every mapping ends compliant, no vault reported succeeded when it was not, writes only to the vault in hand, one JSON document a night',
    async (name) => {
      const vaults = Array.from({ length: 6 }, (_, i) => vaultIn(i % 2 ? SUB_A : SUB_B, `n${i}`));
      const excluded = vaultIn(SUB_A, 'never');
      const all = [...vaults, excluded];
      const mappings = all.flatMap((v) => [0, 1].map((k) => mapping(`m${k}`, {}, v)));
      let night = 0;
      const seen = new Map<string, number>();
      const chance = (key: string) => {
        const n = (seen.get(key) ?? 0) + 1;
        seen.set(key, n);
        return createHash('sha256').update(`seed-27|${key}|${n}`).digest().readUInt32BE(0) / 2 ** 32;
      };
      const tally: Record<string, number> = {};
      const chaos = (r: Recorded): Reply | undefined => {
        const x = chance(`${night}|${r.method}|${r.path}`);
        const pick = (kind: string, reply: Reply) => ((tally[kind] = (tally[kind] ?? 0) + 1), reply);
        const err = (code: string) => ({ error: { code, message: 'chaos' } });
        if (x < 0.045)
          return pick('429', {
            status: 429,
            headers: { 'retry-after-ms': '100' },
            body: err('TooManyRequests'),
          });
        if (x < 0.065) return pick('500', { status: 500, body: err('InternalServerError') });
        if (x < 0.09)
          return pick('503', {
            status: 503,
            headers: { 'Retry-After': '1' },
            body: err('ServiceUnavailable'),
          });
        if (x < 0.095) return pick('stall', { status: 0 });
        if (x < 0.1) return pick('drop', { status: -1 });
        return undefined;
      };
      await withArm(
        name,
        {
          vaultId: vaults[0]!,
          otherVaults: [...vaults.slice(1), excluded],
          mappings,
          protectedItems: vaults.map((v) => current('vm', v)),
          maxRequests: 20_000,
          hook: chaos,
        },
        async (arm, run) => {
          const drift = (n: number) => {
            // Each night after the first, two mappings drift back (an application team's change).
            for (let k = 0; k < 2; k++) {
              const m = mappings[Math.floor(chance(`drift|${n}|${k}`) * vaults.length * 2)]!;
              const d = arm.mapping(m.id).properties.providerSpecificDetails!;
              d.agentAutoUpdateStatus = 'Disabled';
            }
          };
          for (night = 1; night <= 20; night++) {
            if (night > 1) drift(night);
            const before = arm.arm().length;
            const [r] = await run(
              fleetJob(arm, {
                vaultresourceids: vaults.join(','),
                excludevaultresourceids: excluded,
                requesttimeoutseconds: '5',
                maxparallelvaults: '4',
                timeoutseconds: '90',
              }),
            );
            const s = fleet(r!);
            const tonight = arm.arm().slice(before);
            expect(s.sections.map((x) => x.vault)).toEqual(vaults);
            for (const section of s.sections) {
              const mine = mappings
                .filter((m) => m.id.startsWith(`${section.vault}/`))
                .map((m) => arm.mapping(m.id));
              // A vault reported in order is in order on the server, and a mapping reported updated is.
              if (SUCCESS_OUTCOMES.includes(section.outcome) || section.outcome === 'AgentsNeedAttention')
                expect([night, section.vault, mine.every(compliant)]).toEqual([night, section.vault, true]);
              for (const item of section.mappings.filter((i) => i.result === 'Succeeded'))
                expect(compliant(arm.mapping(item.id))).toBe(true);
              expect(section.mappings.every((i) => i.id.startsWith(`${section.vault}/`))).toBe(true);
              // Writes to this vault only for its own mappings, after its own listing this night.
              const listedAt =
                tonight.find(
                  (q) =>
                    q.method === 'GET' &&
                    q.path.toLowerCase() ===
                      `${section.vault.toLowerCase()}/replicationprotectioncontainermappings`,
                )?.seq ?? Infinity;
              for (const w of tonight.filter((q) => q.method === 'PATCH' && under(q, section.vault)))
                expect(w.seq).toBeGreaterThan(listedAt);
            }
            for (const w of tonight.filter((q) => q.method === 'PATCH'))
              expect(vaults.some((v) => under(w, v))).toBe(true);
            expect(tonight.filter((q) => under(q, excluded))).toEqual([]);
          }
          // After the last night every mapping in scope is compliant; the excluded vault was never touched.
          expect(
            mappings
              .filter((m) => !m.id.startsWith(`${excluded}/`))
              .every((m) => compliant(arm.mapping(m.id))),
          ).toBe(true);
          expect(
            mappings.filter((m) => m.id.startsWith(`${excluded}/`)).some((m) => compliant(arm.mapping(m.id))),
          ).toBe(false);
          console.log(
            `chaos: 20 nights, ${arm.arm().length} ARM requests, injected ${JSON.stringify(tally)}`,
          );
          for (const kind of ['429', '500', '503', 'stall', 'drop'])
            expect(tally[kind] ?? 0).toBeGreaterThan(0);
        },
      );
    },
    300_000,
  );
});
