import { ACCOUNT_ID, mapping, type Mapping } from './fake-arm';
import { a2a, bodyOf, enabled, executionScenarios, itemOf, job, results, scenario } from './scenarios';

/** The runbook's execution scenarios: async operations, classification, idempotency, deadline (shared helpers: scenarios.ts). */
executionScenarios(__filename, 'async operations, classification, idempotency, deadline', () => {
  // ------------------------------------------------------------------------ async operations
  (() => {
    const ms = [
      'failed',
      'canceled',
      'cancelled',
      'partially',
      'withinfo',
      'unknown',
      'locationonly',
      'noheader',
      'sync',
      'mismatch',
    ].map((n) => mapping(n));
    scenario(
      'fails when an operation ends Failed, Canceled or Cancelled or the read-back differs; PartiallySucceeded and CompletedWithInformation warn; unknown statuses keep polling; Location-only, header-less 202 and synchronous 200 succeed',
      {
        mappings: ms,
        pollHeaders: { 'Retry-After': '0' },
        patchPlan: (m) => {
          switch (m.name) {
            case 'failed':
              return { mode: 'async', via: 'both', polls: 1, status: 'Failed' };
            case 'canceled':
              return { mode: 'async', via: 'azure-async', polls: 0, status: 'Canceled' };
            case 'cancelled':
              return { mode: 'async', via: 'azure-async', polls: 0, status: 'Cancelled' };
            case 'partially':
              return { mode: 'async', via: 'both', polls: 1, status: 'PartiallySucceeded' };
            case 'withinfo':
              return { mode: 'async', via: 'both', polls: 0, status: 'CompletedWithInformation' };
            case 'unknown':
              return {
                mode: 'async',
                via: 'azure-async',
                polls: 3,
                status: 'Succeeded',
                progress: ['Queued', 'Validating', 'SomethingNew'],
              };
            case 'locationonly':
              return { mode: 'async', via: 'location', polls: 2, status: 'Succeeded' };
            case 'noheader':
              return { mode: 'async', via: 'none', polls: 0, status: 'Succeeded' };
            default:
              return { mode: 'sync' };
          }
        },
        // The service answers 200 but keeps the old value: only the read-back shows it.
        hook: (r) =>
          r.method === 'PATCH' && r.path.endsWith('/mismatch')
            ? { status: 200, body: mapping('mismatch') as unknown as Record<string, never> }
            : undefined,
      },
      async ({ arm, run }) => {
        const [r] = await run(job(arm));
        const s = r!.summary;
        expect(results(s)).toEqual({
          failed: 'Failed',
          canceled: 'Failed',
          cancelled: 'Failed',
          partially: 'Succeeded',
          withinfo: 'Succeeded',
          unknown: 'Succeeded',
          locationonly: 'Succeeded',
          noheader: 'Succeeded',
          sync: 'Succeeded',
          mismatch: 'Failed',
        });
        const item = (n: string) => s.mappings.find((i) => i.id.endsWith(`/${n}`))!;
        expect(item('failed')).toMatchObject({
          operationStatus: 'Failed',
          errorCode: 'OperationFailedCode',
        });
        expect(item('canceled')).toMatchObject({
          operationStatus: 'Canceled',
          errorCode: 'OperationCanceledCode',
        });
        expect(item('cancelled').operationStatus).toBe('Cancelled');
        expect(item('partially').operationStatus).toBe('PartiallySucceeded');
        expect(item('withinfo').operationStatus).toBe('CompletedWithInformation');
        expect(item('mismatch').errorCode).toBe('VerificationMismatch');
        expect(r!.warnings.some((w) => w.includes('PartiallySucceeded'))).toBe(true);
        expect(r!.warnings.some((w) => w.includes('CompletedWithInformation'))).toBe(true);
        // The unknown statuses were polled through, then the operation succeeded.
        expect(arm.arm().filter((q) => /replicationOperationStatus/.test(q.path))).not.toHaveLength(0);
        const locationPolls = arm.arm().filter((q) => /\/operationresults\//i.test(q.path));
        expect(locationPolls.length).toBeGreaterThanOrEqual(3); // two 202s, then 200
        expect(s.outcome).toBe('PartiallyFailed');
        // A 202 without an operation URL is verified by a GET of the mapping, after the 202's Retry-After.
        const noheader = item('noheader').id;
        const [patch] = arm.patchesOf(noheader);
        const verify = arm.arm().find((q) => q.method === 'GET' && q.path === noheader)!;
        expect(verify.at - patch!.at).toBeLessThan(2000);
        // The mappings that failed were not changed; the others were.
        expect(arm.mapping(item('failed').id).properties.providerSpecificDetails!.agentAutoUpdateStatus).toBe(
          'Disabled',
        );
        expect(
          arm.mapping(item('locationonly').id).properties.providerSpecificDetails!.agentAutoUpdateStatus,
        ).toBe('Enabled');
      },
    );
  })();

  // ------------------------------------------------------------------------ classification
  (() => {
    const ms = [
      enabled('same-other-case', { account: `${ACCOUNT_ID.toUpperCase()}/` }),
      enabled('runas', { auth: 'RunAsAccount' }),
      enabled('other-account', { account: ACCOUNT_ID.replace('aa-asr-update', 'aa-other') }),
      enabled('health', { healthErrors: 2 }),
      mapping('disabled'),
      mapping('pairing', { state: 'PairingInProgress' }),
      mapping('pairing-failed', { state: 'PairingFailed' }),
      mapping('unpairing', { state: 'Unpairing' }),
      mapping('no-details', { provider: null }),
      mapping('hyperv', { provider: 'HyperVReplicaAzure' }),
    ];
    scenario(
      'is idempotent: plans only what differs (account case, RunAsAccount migrated, health errors), skips non-Paired, and changes nothing on the second run',
      { mappings: ms },
      async ({ arm, run }) => {
        const [first, second] = await run([job(arm), job(arm)]);
        expect(results(first!.summary)).toEqual({
          'same-other-case': 'Unchanged',
          runas: 'Succeeded',
          'other-account': 'Succeeded',
          health: 'Succeeded',
          disabled: 'Succeeded',
          pairing: 'Skipped',
          'pairing-failed': 'Skipped',
          unpairing: 'Skipped',
          'no-details': 'Skipped',
          hyperv: 'Skipped',
        });
        expect(first!.summary.outcome).toBe('Succeeded');
        expect(
          arm.mapping(ms[1]!.id).properties.providerSpecificDetails!.automationAccountAuthenticationType,
        ).toBe('SystemAssignedIdentity');
        expect(itemOf(first!.summary, ms[5]!).reason).toContain('PairingInProgress');
        const writesAfterFirst = arm.writes().length;
        expect(writesAfterFirst).toBe(4);
        expect(second!.summary.outcome).toBe('NoChange');
        expect(second!.summary.counts.planned).toBe(0);
        expect(arm.writes()).toHaveLength(writesAfterFirst);
      },
    );
  })();

  (() => {
    const ms = [
      mapping('a2a-disabled'),
      enabled('a2a-enabled'),
      mapping('rcm-true', { provider: 'InMageRcm', upgrade: 'True' }),
      mapping('rcm-enabled', { provider: 'InMageRcm', upgrade: 'Enabled' }),
      mapping('rcm-false', { provider: 'InMageRcm', upgrade: 'false' }),
    ];
    scenario(
      'disables: Disabled already Disabled is unchanged; InMageRcm written back in the vocabulary it was read in',
      { mappings: ms },
      async ({ arm, run }) => {
        const [r] = await run(
          job(arm, {
            autoupdateaction: 'Disabled',
            providers: 'A2A,InMageRcm',
            automationaccountarmid: '',
          }),
        );
        expect(results(r!.summary)).toEqual({
          'a2a-disabled': 'Unchanged',
          'a2a-enabled': 'Succeeded',
          'rcm-true': 'Succeeded',
          'rcm-enabled': 'Succeeded',
          'rcm-false': 'Unchanged',
        });
        expect(bodyOf(arm.patchesOf(ms[1]!.id)[0]!).properties.providerSpecificInput).toMatchObject({
          instanceType: 'A2A',
          agentAutoUpdateStatus: 'Disabled',
        });
        expect(bodyOf(arm.patchesOf(ms[2]!.id)[0]!).properties.providerSpecificInput).toEqual({
          instanceType: 'InMageRcm',
          enableAgentAutoUpgrade: 'false',
        });
        expect(bodyOf(arm.patchesOf(ms[3]!.id)[0]!).properties.providerSpecificInput).toEqual({
          instanceType: 'InMageRcm',
          enableAgentAutoUpgrade: 'Disabled',
        });
      },
    );
  })();

  (() => {
    const ms = [
      mapping('a2a'),
      mapping('rcm-false', { provider: 'InMageRcm', upgrade: 'false' }),
      mapping('rcm-disabled', { provider: 'InMageRcm', upgrade: 'Disabled' }),
      mapping('rcm-null', { provider: 'InMageRcm', upgrade: null }),
      mapping('rcm-on', { provider: 'InMageRcm', upgrade: 'TRUE' }),
    ];
    scenario(
      'handles mixed providers: InMageRcm skipped unless listed; enabling InMageRcm alone needs no automation account',
      { mappings: ms },
      async ({ arm, run }) => {
        const [a2aOnly, both, rcmOnly] = await run([
          job(arm, { providers: 'A2A', dryrun: true }),
          job(arm, { providers: 'a2a, inmagercm', dryrun: true }),
          job(arm, { providers: 'InMageRcm', automationaccountarmid: '' }),
        ]);
        expect(results(a2aOnly!.summary)).toEqual({
          a2a: 'WouldUpdate',
          'rcm-false': 'Skipped',
          'rcm-disabled': 'Skipped',
          'rcm-null': 'Skipped',
          'rcm-on': 'Skipped',
        });
        expect(both!.summary.providers).toEqual(['A2A', 'InMageRcm']);
        expect(results(both!.summary)).toEqual({
          a2a: 'WouldUpdate',
          'rcm-false': 'WouldUpdate',
          'rcm-disabled': 'WouldUpdate',
          'rcm-null': 'WouldUpdate',
          'rcm-on': 'Unchanged',
        });
        expect(rcmOnly!.summary.outcome).toBe('Succeeded');
        expect(results(rcmOnly!.summary)).toMatchObject({ a2a: 'Skipped', 'rcm-on': 'Unchanged' });
        const written = (m: Mapping) =>
          bodyOf(arm.patchesOf(m.id)[0]!).properties.providerSpecificInput.enableAgentAutoUpgrade;
        expect([written(ms[1]!), written(ms[2]!), written(ms[3]!)]).toEqual(['true', 'Enabled', 'true']);
        expect(arm.patchesOf(ms[0]!.id)).toEqual([]);
      },
    );
  })();

  scenario(
    'DryRun plans and reports, and writes nothing',
    { mappings: [...a2a(5), enabled('ok')] },
    async ({ arm, run }) => {
      const [r] = await run(job(arm, { dryrun: true }));
      expect(r!.summary.outcome).toBe('DryRun');
      expect(r!.summary.dryRun).toBe(true);
      expect(r!.summary.counts).toMatchObject({ listed: 6, planned: 5, unchanged: 1, succeeded: 0 });
      expect(r!.summary.mappings.filter((i) => i.result === 'WouldUpdate')).toHaveLength(5);
      expect(arm.writes()).toEqual([]);
    },
  );

  // ------------------------------------------------------------------------ scale, concurrency, deadline
  (() => {
    const ms = Array.from({ length: 200 }, (_, i) => (i % 4 === 0 ? mapping(`m${i}`) : enabled(`m${i}`)));
    scenario(
      'updates 50 of 200 mappings with at most MaxConcurrency operations in flight, as the server sees it',
      { mappings: ms, latencyMs: 15, pageSize: 50 },
      async ({ arm, pwsh, run }) => {
        // The default deadline: requests keep a constant 100 s timeout, so a session keeps its connection.
        const [r] = await run(job(arm, { maxconcurrency: '4', timeoutseconds: '3600' }));
        expect(r!.summary.outcome).toBe('Succeeded');
        expect(r!.summary.counts).toMatchObject({
          listed: 200,
          planned: 50,
          succeeded: 50,
          unchanged: 150,
        });
        expect(arm.writes()).toHaveLength(50);
        expect(arm.peakInFlight).toBeLessThanOrEqual(4);
        expect(arm.peakOpenOperations).toBeLessThanOrEqual(4);
        expect(arm.peakOpenOperations).toBeGreaterThanOrEqual(2); // the work does run in parallel
        expect(arm.identity()).toHaveLength(1);
        // PowerShell 7.4+ reuses a web session's connection: a few connections, not one per request.
        const [major, minor] = pwsh.version.split('.').map(Number);
        if (major! > 7 || (major === 7 && minor! >= 4)) expect(arm.armConnections).toBeLessThanOrEqual(10);
        expect(arm.arm().length).toBe(4 + 50 * 4 + 1); // 4 pages; per change PATCH, 2 status reads, GET; 1 page of protected items
      },
    );
  })();

  scenario(
    'fails when operations never finish: TimedOut at the deadline, nothing sent after it',
    {
      mappings: a2a(6),
      pollHeaders: { 'retry-after-ms': '200' },
      patchPlan: () => ({ mode: 'async', via: 'both', polls: 0, status: 'InProgress' }),
    },
    async ({ arm, run }) => {
      const [r] = await run(job(arm, { timeoutseconds: '5', maxconcurrency: '2' }));
      const s = r!.summary;
      expect(s.outcome).toBe('TimedOut');
      expect(s.counts).toMatchObject({ planned: 6, timedOut: 6, succeeded: 0, failed: 0 });
      const first = arm.requests[0]!.at;
      const last = arm.requests[arm.requests.length - 1]!.at;
      expect(last - first).toBeLessThanOrEqual(5000 + 250); // the server's receipt lags the send a little
      expect(r!.ms).toBeLessThan(10_000);
    },
  );

  scenario(
    'fails when ARM never answers a request: TimedOut by the deadline',
    { mappings: a2a(2), hook: (r) => (r.method === 'PATCH' ? { status: 0 } : undefined) },
    async ({ arm, run }) => {
      const [r] = await run(job(arm, { timeoutseconds: '5' }));
      expect(r!.summary.outcome).toBe('TimedOut');
      expect(r!.summary.counts).toMatchObject({ planned: 2, timedOut: 2 });
      expect(r!.ms).toBeLessThan(10_000);
      expect(arm.writes()).toHaveLength(2);
    },
  );
});
