import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_STATUSES } from '../../constructs/domain/agent-status';
import {
  mapping,
  protectedItem,
  VAULT_ID,
  type AgentFactsJson,
  type JsonObject,
  type Recorded,
} from './fake-arm';
import { armError, enabled, executionScenarios, firstTimes, job, scenario } from './scenarios';

/** The runbook's execution scenarios: the nightly agent report (shared helpers: scenarios.ts). */
executionScenarios(__filename, 'the nightly agent report', () => {
  // ------------------------------------------------------------------------ the nightly agent report
  (() => {
    interface AgentCase {
      name: string;
      now: string;
      expiringWithinDays: number;
      facts: AgentFactsJson;
      expected: { status: string; reasons: string[] };
      shapeBefore?: string;
    }
    // The same table drives classifyAgent's tests (test/domain/agent-status.test.ts). A case in the
    // shape of an older api-version (shapeBefore) is not served: the fake answers in 2026-05-01's contract.
    const all = JSON.parse(
      readFileSync(join(__dirname, '..', 'fixtures', 'agent-status-cases.json'), 'utf8'),
    ) as { cases: AgentCase[] };
    const table = { cases: all.cases.filter((c) => c.shapeBefore === undefined) };
    // One vault per (report time, window), so that each group is one run.
    const groups = new Map<string, AgentCase[]>();
    for (const c of table.cases) {
      const key = `${c.now}|${c.expiringWithinDays}`;
      groups.set(key, [...(groups.get(key) ?? []), c]);
    }
    const vaults = [...groups.keys()].map((_, i) => VAULT_ID.replace(/vault-a$/, `vault-case-${i}`));
    const items = [...groups.values()].flatMap((cases, i) =>
      cases.map((c) => protectedItem(c.name, c.facts, vaults[i])),
    );
    scenario(
      'judges every case of the shared agent-status table exactly as classifyAgent does (paged, mixed providers)',
      { otherVaults: vaults, protectedItems: items, protectedItemPageSize: 4 },
      async ({ arm, run }) => {
        const groupCases = [...groups.values()];
        const runs = await run(
          groupCases.map((cases, i) =>
            job(arm, {
              vaultresourceid: vaults[i]!,
              reporttimeutc: cases[0]!.now,
              agentexpiringwithindays: String(cases[0]!.expiringWithinDays),
            }),
          ),
        );
        runs.forEach((r, i) => {
          const cases = groupCases[i]!;
          const agents = r.summary.agents!;
          expect(agents.state).toBe('Complete');
          expect(agents.reportTime).toBe(new Date(cases[0]!.now).toISOString().replace('.000Z', 'Z'));
          const got = Object.fromEntries(
            agents.machines.map((m) => [m.name, { status: m.status, reasons: m.reasons }]),
          );
          expect(got).toEqual(Object.fromEntries(cases.map((c) => [c.name, c.expected])));
          for (const c of cases) {
            const m = agents.machines.find((x) => x.name === c.name)!;
            expect(m.provider).toBe(c.facts.provider);
          }
          const tally = Object.fromEntries(
            AGENT_STATUSES.map((st) => [st, cases.filter((c) => c.expected.status === st).length]),
          );
          expect(agents.counts).toEqual(tally);
          const attention = cases.filter((c) =>
            ['OutOfSupport', 'Blocked'].includes(c.expected.status),
          ).length;
          expect(agents.needAttention).toBe(attention);
          expect(r.summary.outcome).toBe(attention > 0 ? 'AgentsNeedAttention' : 'NoChange');
        });
        // Every status came out of the runbook at least once.
        const seen = new Set(runs.flatMap((r) => r.summary.agents!.machines.map((m) => m.status)));
        expect(AGENT_STATUSES.filter((st) => !seen.has(st))).toEqual([]);
        // Every page of every vault was read, and nothing was written.
        const reads = arm.arm().filter((q) => /replicationProtectedItems$/i.test(q.path));
        const pages = groupCases.reduce((n, cases) => n + Math.ceil(cases.length / 4), 0);
        expect(reads).toHaveLength(pages);
        expect(arm.writes()).toEqual([]);
      },
    );
  })();

  (() => {
    const now = '2026-11-30T00:00:00Z';
    const a2aAgent = (name: string, expiry: string, update = false): JsonObject =>
      protectedItem(name, {
        provider: 'A2A',
        agentVersion: '9.62.1.1',
        agentExpiryDate: expiry,
        isReplicationAgentUpdateRequired: update,
        isReplicationAgentCertificateUpdateRequired: false,
      });
    const rcmAgent = (name: string, version: string, reasons: string[] = []): JsonObject =>
      protectedItem(name, {
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
      });
    const healthy = [
      ...Array.from({ length: 5 }, (_, i) => a2aAgent(`a2a-ok-${i}`, '2027-06-01T00:00:00Z')),
      a2aAgent('a2a-expiring', '2026-12-10T00:00:00Z'),
      a2aAgent('a2a-pending', '2027-06-01T00:00:00Z', true),
      rcmAgent('rcm-ok', '9.63.7300.1'),
      rcmAgent('rcm-pending', '9.62.7100.1'),
      protectedItem('hyperv-1', { provider: 'InMageRcm' }),
    ];
    // A Hyper-V item: not an agent this report judges.
    (healthy[healthy.length - 1]!.properties as JsonObject).providerSpecificDetails = {
      instanceType: 'HyperVReplicaAzure',
    };
    const troubled = [
      a2aAgent('a2a-expired', '2026-10-01T00:00:00Z'),
      rcmAgent('rcm-blocked', '9.60.1.1', ['AgentNoHeartbeat']),
    ];

    scenario(
      'reports a healthy fleet without failing: counts in the message, the list capped by MaxAgentsListed with complete counts, nothing read when skipped',
      { mappings: [enabled('ok')], protectedItems: healthy, protectedItemPageSize: 3 },
      async ({ arm, run }) => {
        const [full, capped] = await run([
          job(arm, { reporttimeutc: now }),
          job(arm, { reporttimeutc: now, maxagentslisted: '2' }),
        ]);
        const a = full!.summary.agents!;
        expect(full!.summary.outcome).toBe('NoChange');
        expect(a.counts).toEqual({
          OutOfSupport: 0,
          Blocked: 0,
          SupportExpiring: 1,
          NeedsReboot: 0,
          UpdatePending: 2,
          Current: 6,
          Unknown: 0,
        });
        expect([a.protectedItems, a.otherProviders, a.machinesListed, a.truncated]).toEqual([
          10,
          1,
          9,
          false,
        ]);
        expect(full!.summary.message).toContain(
          '1 SupportExpiring, 0 NeedsReboot, 2 UpdatePending, 6 Current',
        );
        const c = capped!.summary.agents!;
        expect(c.counts).toEqual(a.counts);
        expect([c.machinesListed, c.truncated]).toEqual([2, true]);
        // Most severe first.
        expect(c.machines.map((m) => m.status)).toEqual(['SupportExpiring', 'UpdatePending']);
        const readsBefore = arm.arm().length;
        const [skipped] = await run(job(arm, { skipagentreport: true }));
        expect(skipped!.summary.outcome).toBe('NoChange');
        expect(skipped!.summary.agents!.state).toBe('Skipped');
        expect(skipped!.summary.agents!.machines).toEqual([]);
        expect(
          arm
            .arm()
            .slice(readsBefore)
            .filter((q) => /replicationProtectedItems$/i.test(q.path)),
        ).toEqual([]);
      },
    );

    scenario(
      'fails when agents are out of support or blocked: AgentsNeedAttention after the reconciliation, warnings name them (a dry run only reports)',
      { mappings: [mapping('m0'), enabled('ok')], protectedItems: [...healthy.slice(0, 3), ...troubled] },
      async ({ arm, run }) => {
        const [dry, real] = await run([
          job(arm, { reporttimeutc: now, dryrun: true }),
          job(arm, { reporttimeutc: now }),
        ]);
        expect(dry!.summary.outcome).toBe('DryRun');
        expect(dry!.summary.agents!.needAttention).toBe(2);
        const s = real!.summary;
        expect(s.outcome).toBe('AgentsNeedAttention');
        expect(real!.threw).toBe(true);
        expect(s.counts.succeeded).toBe(1);
        expect(s.agents!.counts).toMatchObject({ OutOfSupport: 1, Blocked: 1, Current: 3 });
        expect(s.agents!.machines.slice(0, 2).map((m) => [m.name, m.status, m.reasons])).toEqual([
          ['a2a-expired', 'OutOfSupport', ['expired:2026-10-01']],
          ['rcm-blocked', 'Blocked', ['blocked:AgentNoHeartbeat']],
        ]);
        expect(real!.warnings.join('\n')).toMatch(/a2a-expired.*OutOfSupport/);
        expect(real!.warnings.join('\n')).toMatch(/rcm-blocked.*Blocked/);
      },
    );

    const isItems = (r: Recorded) => r.method === 'GET' && /replicationProtectedItems$/i.test(r.path);
    scenario(
      'waits as a throttled protected-items read asks (429 with Retry-After), then reports',
      {
        protectedItems: healthy.slice(0, 4),
        protectedItemPageSize: 2,
        hook: firstTimes(
          1,
          (r) => isItems(r) && r.query.get('$skipToken') === '1',
          () => ({
            status: 429,
            headers: { 'Retry-After': '1' },
            body: { error: { code: 'TooManyRequests', message: 'Throttled.' } },
          }),
        ),
      },
      async ({ arm, run }) => {
        const [r] = await run(job(arm, { reporttimeutc: now }));
        expect(r!.summary.outcome).toBe('NoChange');
        expect(r!.summary.agents!.counts.Current).toBe(4);
        const reads = arm.arm().filter(isItems);
        expect(reads.map((q) => q.status)).toEqual([200, 429, 200]);
        expect(reads[2]!.at - reads[1]!.at).toBeGreaterThanOrEqual(950);
      },
    );

    scenario(
      'fails when the protected items cannot be read (403): ReportFailed, the mappings still reconciled',
      {
        mappings: [mapping('m0')],
        hook: (r) =>
          isItems(r) ? armError(403, 'AuthorizationFailed', 'No read on protected items.') : undefined,
      },
      async ({ arm, run }) => {
        const [r] = await run(job(arm));
        expect(r!.summary.outcome).toBe('ReportFailed');
        expect(r!.summary.counts.succeeded).toBe(1);
        expect(r!.summary.agents!.state).toBe('Failed');
        expect(r!.summary.message).toContain('AuthorizationFailed');
        expect(arm.arm().filter(isItems)).toHaveLength(1);
      },
    );
  })();

  // ------------------------------------------------------- the example of docs/nightly-report.md
  scenario(
    "produces the nightly report page's example summary (UPDATE_DOCS_EXAMPLE=1 rewrites it)",
    {
      mappings: [enabled('a2a-weu-1'), mapping('a2a-weu-2')],
      protectedItems: [
        protectedItem('vm-app-01', {
          provider: 'A2A',
          agentVersion: '9.62.7172.1',
          agentExpiryDate: '2027-06-01T00:00:00Z',
          isReplicationAgentUpdateRequired: false,
          isReplicationAgentCertificateUpdateRequired: false,
        }),
        protectedItem('vm-db-01', {
          provider: 'A2A',
          agentVersion: '9.58.1.1',
          agentExpiryDate: '2026-12-20T00:00:00Z',
          isReplicationAgentUpdateRequired: true,
          isReplicationAgentCertificateUpdateRequired: false,
        }),
        protectedItem('vmw-web-01', {
          provider: 'InMageRcm',
          mobilityAgentDetails: {
            version: '9.62.7100.1',
            latestVersion: '9.63.7300.1',
            agentVersionExpiryDate: '2027-05-01T00:00:00Z',
            isUpgradeable: 'true',
            latestUpgradableVersionWithoutReboot: '9.62.7100.1',
            reasonsBlockingUpgrade: [],
          },
          agentUpgradeState: 'None',
        }),
        protectedItem('vmw-erp-01', {
          provider: 'InMageRcm',
          mobilityAgentDetails: {
            version: '9.50.6000.1',
            latestVersion: '9.63.7300.1',
            agentVersionExpiryDate: '2026-11-01T00:00:00Z',
            isUpgradeable: 'false',
            latestUpgradableVersionWithoutReboot: null,
            reasonsBlockingUpgrade: ['AgentNoHeartbeat'],
          },
          agentUpgradeState: 'None',
        }),
      ],
    },
    async ({ arm, run }) => {
      const [r] = await run(job(arm, { reporttimeutc: '2026-11-30T02:00:00Z', maxagentslisted: '3' }));
      expect(r!.summary.outcome).toBe('AgentsNeedAttention');
      // As Prettier writes it (the page is Prettier-formatted); only request ids and the measured
      // duration are replaced.
      const json = JSON.stringify(
        r!.summary,
        (key, value: unknown) =>
          key === 'requestId' && typeof value === 'string'
            ? '<x-ms-request-id>'
            : key === 'durationSeconds' && typeof value === 'number'
              ? 4.2
              : value,
        2,
      );
      const prettier = join(__dirname, '..', '..', 'node_modules', 'prettier', 'bin', 'prettier.cjs');
      const example = execFileSync(process.execPath, [prettier, '--stdin-filepath', 'example.json'], {
        input: json,
        encoding: 'utf8',
      }).trimEnd();
      const page = join(__dirname, '..', '..', 'docs', 'nightly-report.md');
      const text = readFileSync(page, 'utf8');
      const block =
        /(<!-- example-summary:start -->\n\n```json\n)([\s\S]*?)(\n```\n\n<!-- example-summary:end -->)/;
      expect(text).toMatch(block);
      if (process.env.UPDATE_DOCS_EXAMPLE === '1') {
        writeFileSync(
          page,
          text.replace(block, (_m, a: string, _b: string, c: string) => `${a}${example}${c}`),
        );
      } else {
        expect(block.exec(text)![2]).toBe(example);
      }
    },
  );
});
