import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveA2AScenario } from '../../constructs/domain';
import { AGENT_STATUSES } from '../../constructs/domain/agent-status';
import { a2aProps } from '../fixtures';
import {
  ACCOUNT_ID,
  FakeArm,
  IDENTITY_SECRET,
  mapping,
  protectedItem,
  SUBSCRIPTION,
  VAULT_ID,
  type AgentFactsJson,
  type FakeArmOptions,
  type JsonObject,
  type Mapping,
  type Recorded,
  type Reply,
} from './fake-arm';
import {
  closeWorkers,
  RUNBOOK,
  runRunbook,
  runRunbookProcess,
  spawnPwsh,
  type JobParameters,
  type FleetSummary,
  type RunResult,
  type RunbookSummary,
} from './harness';
import { contractCoverage, contractReport } from './contract';
import { expectOutputContract } from './output-contract';
import { locatePwsh, pinnedPwshVersion, type Pwsh } from './pwsh';

/**
 * The shipped runbook, executed by real PowerShell (the version pinned in .config/dotnet-tools.json)
 * against a fake Azure Resource Manager on loopback. Each scenario starts its own servers and closes
 * them; at most two pwsh processes run at once (see harness.ts). Without pwsh the scenarios are
 * skipped with one line saying why, except under CI=true, where a missing pwsh fails the run.
 */
const lookup = locatePwsh();
const inCi = process.env.CI === 'true';

let declared = 0;
let passed = 0;
let pwsh: Pwsh;

interface Scenario {
  arm: FakeArm;
  run: (params: JobParameters | JobParameters[], env?: Record<string, string>) => Promise<RunResult[]>;
}

/** Parameters as the job schedule sends them (lower-cased), pointed at the fake ARM. */
const job = (arm: FakeArm, extra: Record<string, string | boolean> = {}): JobParameters => ({
  vaultresourceid: VAULT_ID,
  autoupdateaction: 'Enabled',
  automationaccountarmid: ACCOUNT_ID,
  providers: 'A2A',
  armendpoint: arm.armEndpoint,
  timeoutseconds: '60',
  ...extra,
});

/** A fleet job: the vault list instead of the one vault id. */
const fleetJob = (arm: FakeArm, ids: string, extra: Record<string, string | boolean> = {}): JobParameters => {
  const params: Record<string, string | boolean> = { ...job(arm, extra), vaultresourceids: ids };
  delete params.vaultresourceid;
  return { ...params, ...extra };
};

/** Declares one scenario: its own fake ARM, closed afterwards; the output contract on every run. */
function scenario(
  name: string,
  options: Partial<FakeArmOptions>,
  body: (s: Scenario) => Promise<void>,
): void {
  declared++;
  it.concurrent(name, async () => {
    const arm = await new FakeArm({ vaultId: VAULT_ID, mappings: [], ...options }).start();
    arm.contract.scenario = name;
    try {
      await body({
        arm,
        run: async (params, env) => {
          const result = await runRunbook(
            pwsh,
            Array.isArray(params) ? params : [params],
            env ?? arm.identityEnv,
          );
          expectOutputContract(arm, result);
          return result.runs;
        },
      });
      passed++;
    } finally {
      await arm.close();
    }
  });
}

const a2a = (n: number, prefix = 'm') => Array.from({ length: n }, (_, i) => mapping(`${prefix}${i}`));
const enabled = (name: string, extra: Parameters<typeof mapping>[1] = {}) =>
  mapping(name, { status: 'Enabled', account: ACCOUNT_ID, auth: 'SystemAssignedIdentity', ...extra });
const itemOf = (s: RunbookSummary, m: Mapping) => s.mappings.find((i) => i.id === m.id)!;
const results = (s: RunbookSummary) =>
  Object.fromEntries(s.mappings.map((i) => [i.id.split('/').pop(), i.result]));
const bodyOf = (r: Recorded) =>
  JSON.parse(r.body) as { properties: { providerSpecificInput: Record<string, string> } };
/** A reply for the first `times` requests matching `when`, then the default behaviour. */
function firstTimes(times: number, when: (r: Recorded) => boolean, reply: (r: Recorded, n: number) => Reply) {
  let n = 0;
  return (r: Recorded): Reply | undefined => {
    if (!when(r) || n >= times) return undefined;
    n++;
    return reply(r, n);
  };
}
const isList = (r: Recorded) => r.method === 'GET' && /replicationProtectionContainerMappings$/i.test(r.path);
const armError = (status: number, code: string, message: string): Reply => ({
  status,
  body: { error: { code, message } },
});

const describeRuns = lookup.found ? describe : describe.skip;

if (!lookup.found) {
  if (inCi) {
    it('fails when CI=true and no pwsh is found (the runbook must be executed in CI)', () => {
      throw new Error(`No PowerShell for the runbook scenarios: ${lookup.missing}`);
    });
  } else {
    console.log(`runbook scenarios skipped: no PowerShell found (${lookup.missing})`);
  }
} else {
  pwsh = lookup.pwsh;
}

describeRuns('the runbook under real pwsh against a fake ARM', () => {
  afterAll(() => {
    closeWorkers();
    if (lookup.found)
      console.log(
        `runbook scenarios: ${passed} of ${declared} passed with PowerShell ${pwsh.version} (${pwsh.source}; pinned ${pinnedPwshVersion()})`,
      );
    // Jest gives each test file its own module registry: this is the coverage of this file's scenarios
    // (ingestion.test.ts and estate.test.ts print and assert their own).
    console.log(contractReport('the execution scenarios (test/runbook/execution.test.ts)'));
    // When every scenario ran and passed: each operation the runbook uses was exercised under its contract,
    // and each that has a specification example was answered with it at least once.
    if (passed === declared) {
      const runbookUses = contractCoverage().filter((c) => /^(site-recovery|managed-identity)/.test(c.file));
      const unexercised = runbookUses.filter((c) => c.requests === 0).map((c) => c.key);
      const withExample = [
        'ReplicationProtectionContainerMappings_List',
        'ReplicationProtectionContainerMappings_Get',
        'ReplicationProtectionContainerMappings_Update',
        'ReplicationProtectedItems_List',
      ];
      const noExample = runbookUses
        .filter((c) => withExample.some((id) => c.key.startsWith(`${id}@`)) && c.examples.size === 0)
        .map((c) => c.key);
      if (unexercised.length || noExample.length)
        throw new Error(
          `contract coverage: never exercised ${unexercised.join(', ') || '-'}; never answered with the specification's example ${noExample.join(', ') || '-'}`,
        );
    }
  });

  // ------------------------------------------------------------------------ parser and #Requires
  declared++;
  it('parses with PowerShell own parser and requires the oldest runtime the constructs deploy (7.4)', async () => {
    const script = [
      '$errors = $null; $tokens = $null',
      `$ast = [System.Management.Automation.Language.Parser]::ParseFile('${RUNBOOK.replace(/'/g, "''")}', [ref] $tokens, [ref] $errors)`,
      '[Console]::Out.WriteLine((@{ errors = @($errors | ForEach-Object { "$($_.Extent.StartLineNumber): $($_.Message)" }); requires = [string] $ast.ScriptRequirements.RequiredPSVersion; params = @($ast.ParamBlock.Parameters | ForEach-Object { $_.Name.VariablePath.UserPath }) } | ConvertTo-Json -Compress))',
    ].join('\n');
    const proc = await spawnPwsh(pwsh, ['-Command', script], {});
    expect(proc.exitCode).toBe(0);
    const parsed = JSON.parse(proc.stdout.trim()) as { errors: string[]; requires: string; params: string[] };
    expect(parsed.errors).toEqual([]);
    expect(parsed.requires).toBe('7.4');
    expect(parsed.params).toContain('VaultResourceId');
    passed++;
  });

  // ------------------------------------------------------------------------ the normal path
  scenario(
    'enables every A2A mapping with the job schedule parameters the constructs send; one token, reused',
    { mappings: [...a2a(6), enabled('ok-1')], pageSize: 3 },
    async ({ arm, run }) => {
      const sent = resolveA2AScenario(a2aProps()).automation!.jobParameters;
      const params: Record<string, string> = {
        ...sent,
        vaultresourceid: VAULT_ID,
        automationaccountarmid: ACCOUNT_ID,
        armendpoint: arm.armEndpoint,
      };
      expect(Object.keys(sent).every((k) => k === k.toLowerCase())).toBe(true);
      const [r] = await run(params);
      const s = r!.summary;
      expect(s.outcome).toBe('Succeeded');
      expect(s.counts).toEqual({
        listed: 7,
        unchanged: 1,
        skipped: 0,
        planned: 6,
        succeeded: 6,
        failed: 0,
        timedOut: 0,
      });
      expect(Object.keys(s.mappings[0]!).sort()).toEqual(
        [
          'id',
          'provider',
          'state',
          'before',
          'desired',
          'result',
          'reason',
          'operationStatus',
          'errorCode',
          'errorMessage',
          'requestId',
          'attempts',
        ].sort(),
      );
      // Token: requested once, in the shape the Automation identity endpoint expects, then reused.
      const [tokenRequest, ...more] = arm.identity();
      expect(more).toEqual([]);
      expect(tokenRequest!.method).toBe('GET');
      expect(tokenRequest!.query.get('resource')).toBe('https://management.azure.com/');
      expect(tokenRequest!.query.get('api-version')).toBe('2019-08-01');
      expect(tokenRequest!.headers['x-identity-header']).toBe(IDENTITY_SECRET);
      expect(tokenRequest!.headers.metadata).toBe('true');
      for (const req of arm.arm()) expect(req.headers.authorization).toBe(`Bearer ${arm.issuedTokens[0]}`);
      // The body: A2A, enabled, this account, always the managed identity.
      const patches = arm.arm().filter((q) => q.method === 'PATCH');
      expect(patches).toHaveLength(6);
      for (const p of patches) {
        expect(bodyOf(p).properties.providerSpecificInput).toEqual({
          instanceType: 'A2A',
          agentAutoUpdateStatus: 'Enabled',
          automationAccountAuthenticationType: 'SystemAssignedIdentity',
          automationAccountArmId: ACCOUNT_ID,
        });
        expect(p.headers['content-type']).toMatch(/^application\/json/);
      }
      for (const m of arm.mappings.values()) {
        expect(m.properties.providerSpecificDetails).toMatchObject({
          agentAutoUpdateStatus: 'Enabled',
          automationAccountArmId: ACCOUNT_ID,
          automationAccountAuthenticationType: 'SystemAssignedIdentity',
        });
      }
      // The request id in the summary is the PATCH's x-ms-request-id.
      const first = s.mappings.find((i) => i.result === 'Succeeded')!;
      const itsPatch = patches.find((p) => p.path === first.id)!;
      expect(first.requestId).toBe(itsPatch.replyHeaders!['x-ms-request-id']);
      expect(r!.verbose.length).toBeGreaterThan(0);
    },
  );

  scenario(
    'takes the token audience from AzureEnvironment, also when ArmEndpoint is overridden',
    { mappings: [enabled('ok')] },
    async ({ arm, run }) => {
      const [r] = await run(job(arm, { azureenvironment: 'azureusgovernment' }));
      expect(r!.summary.outcome).toBe('NoChange');
      expect(arm.identity().map((q) => q.query.get('resource'))).toEqual([
        'https://management.usgovcloudapi.net/',
      ]);
    },
  );

  scenario(
    'fails when the identity environment is missing, with zero requests sent',
    { mappings: a2a(2) },
    async ({ arm, run }) => {
      const [none] = await run(job(arm), {});
      expect(none!.summary.outcome).toBe('InvalidEnvironment');
      const headerOnly = await run(job(arm), { IDENTITY_ENDPOINT: arm.identityEndpoint });
      expect(headerOnly[0]!.summary.outcome).toBe('InvalidEnvironment');
      expect(arm.requests).toEqual([]);
    },
  );

  // ------------------------------------------------------------------------ tokens
  scenario(
    'refreshes the token once on a 401 and retries the request with the new token',
    { mappings: a2a(3) },
    async ({ arm, run }) => {
      let expired = false;
      arm.hook = (r) => {
        if (r.method === 'PATCH' && !expired) {
          expired = true;
          arm.validTokens.clear(); // the token ARM accepted so far has now expired
        }
        return undefined;
      };
      const [r] = await run(job(arm, { maxconcurrency: '1' }));
      expect(r!.summary.outcome).toBe('Succeeded');
      expect(arm.identity()).toHaveLength(2);
      const firstPatch = arm.arm().find((q) => q.method === 'PATCH')!;
      expect(firstPatch.status).toBe(401);
      const retried = arm.arm().filter((q) => q.method === 'PATCH' && q.path === firstPatch.path);
      expect(retried.map((q) => q.status)).toEqual([401, 202]);
      expect(retried[1]!.headers.authorization).toBe(`Bearer ${arm.issuedTokens[1]}`);
    },
  );

  scenario(
    'refreshes the token before it expires (within five minutes of expires_on), without a 401',
    {
      mappings: a2a(2),
      tokenLifetimeSeconds: 302,
      pollHeaders: { 'retry-after-ms': '400' },
      patchPlan: () => ({ mode: 'async', via: 'azure-async', polls: 4, status: 'Succeeded' }),
    },
    async ({ arm, run }) => {
      const [r] = await run(job(arm, { maxconcurrency: '1' }));
      expect(r!.summary.outcome).toBe('Succeeded');
      const tokens = arm.identity();
      expect(tokens.length).toBeGreaterThanOrEqual(2);
      // Each token is reused until it is within 300 s of expires_on (here: for about 2 s), then renewed.
      expect(tokens[1]!.at - tokens[0]!.at).toBeGreaterThanOrEqual(900);
      expect(arm.arm().filter((q) => q.status === 401)).toEqual([]);
      expect(arm.arm().length).toBeGreaterThan(tokens.length);
    },
  );

  scenario(
    'fails when ARM answers 401 again after the refresh (one refresh, no loop)',
    {
      mappings: a2a(1),
      hook: () => armError(401, 'InvalidAuthenticationToken', 'The access token is invalid.'),
    },
    async ({ arm, run }) => {
      const [r] = await run(job(arm));
      expect(r!.summary.outcome).toBe('Failed');
      expect(r!.summary.message).toContain('InvalidAuthenticationToken');
      expect(arm.arm()).toHaveLength(2);
      expect(arm.identity()).toHaveLength(2);
    },
  );

  // ------------------------------------------------------------------------ listing
  (() => {
    const ms = a2a(3);
    scenario(
      'follows nextLink over three pages with an empty middle page',
      { mappings: ms, pages: [[ms[0]!.id, ms[1]!.id], [], [ms[2]!.id]] },
      async ({ arm, run }) => {
        const [r] = await run(job(arm));
        expect(r!.summary.counts.listed).toBe(3);
        expect(r!.summary.outcome).toBe('Succeeded');
        expect(
          arm
            .arm()
            .filter(isList)
            .map((q) => q.query.get('$skiptoken')),
        ).toEqual([null, '1', '2']);
      },
    );
  })();

  scenario(
    'fails when a nextLink points at another host, and sends that host nothing',
    { mappings: a2a(2) },
    async ({ arm, run }) => {
      arm.hook = (r) =>
        isList(r)
          ? {
              status: 200,
              body: {
                value: [arm.mappings.values().next().value as unknown as Record<string, never>],
                nextLink: `${arm.foreignEndpoint}${VAULT_ID}/replicationProtectionContainerMappings?api-version=2026-05-01&$skiptoken=1`,
              },
            }
          : undefined;
      const [r] = await run(job(arm));
      expect(r!.summary.outcome).toBe('Failed');
      expect(r!.summary.message).toMatch(/nextLink points at '127\.0\.0\.1:\d+'/);
      expect(arm.foreign()).toEqual([]);
      expect(arm.writes()).toEqual([]);
    },
  );

  scenario(
    'fails when ARM answers with an HTML page instead of JSON (listing and PATCH)',
    { mappings: a2a(2) },
    async ({ arm, run }) => {
      const html =
        '<!DOCTYPE html><html><body><h1>403 - Forbidden</h1><p>Blocked by proxy.</p></body></html>';
      const listOnce = firstTimes(1, isList, () => ({
        status: 200,
        headers: { 'Content-Type': 'text/html' },
        body: html,
      }));
      arm.hook = (r) =>
        listOnce(r) ??
        (r.method === 'PATCH'
          ? { status: 403, headers: { 'Content-Type': 'text/html' }, body: html }
          : undefined);
      const [listing, patching] = await run([job(arm), job(arm)]);
      expect(listing!.summary.outcome).toBe('Failed');
      expect(listing!.summary.message).toMatch(/not JSON/);
      expect(patching!.summary.outcome).toBe('Failed');
      for (const item of patching!.summary.mappings) {
        expect(item.errorCode).toBe('Http403');
        expect(item.errorMessage).toContain('text/html');
        expect(item.attempts).toBe(1);
      }
    },
  );

  // ------------------------------------------------------------------------ retries
  scenario(
    'waits as 429 asks, in each Retry-After form (retry-after-ms, x-ms-retry-after-ms, seconds, HTTP date)',
    { mappings: [enabled('a'), enabled('b'), enabled('c'), enabled('d')], pageSize: 1 },
    async ({ arm, run }) => {
      const forms: Record<string, () => Record<string, string>> = {
        '0': () => ({ 'retry-after-ms': '400', 'Retry-After': '30' }),
        '1': () => ({ 'x-ms-retry-after-ms': '400' }),
        '2': () => ({ 'Retry-After': '1' }),
        '3': () => ({ 'Retry-After': new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000).toUTCString() }),
      };
      const seen = new Set<string>();
      const sentAt = new Map<string, { at: number; wall: number; headers: Record<string, string> }>();
      arm.hook = (r) => {
        const page = r.query.get('$skiptoken') ?? '0';
        if (!isList(r) || seen.has(page)) return undefined;
        seen.add(page);
        const headers = forms[page]!();
        sentAt.set(page, { at: r.at, wall: Date.now(), headers });
        return { status: 429, headers, body: { error: { code: 'TooManyRequests', message: 'Throttled.' } } };
      };
      const [r] = await run(job(arm));
      expect(r!.summary.outcome).toBe('NoChange');
      const retryGap = (page: string) => {
        const reqs = arm.arm().filter((q) => isList(q) && (q.query.get('$skiptoken') ?? '0') === page);
        expect(reqs.map((q) => q.status)).toEqual([429, 200]);
        return reqs[1]!.at - reqs[0]!.at;
      };
      expect(retryGap('0')).toBeGreaterThanOrEqual(390);
      expect(retryGap('0')).toBeLessThan(5000); // the ms header wins over Retry-After: 30
      expect(retryGap('1')).toBeGreaterThanOrEqual(390);
      expect(retryGap('2')).toBeGreaterThanOrEqual(990);
      const date = sentAt.get('3')!;
      const asked = Date.parse(date.headers['Retry-After']!) - date.wall;
      expect(retryGap('3')).toBeGreaterThanOrEqual(asked - 50);
      expect(retryGap('3')).toBeLessThan(asked + 3000);
    },
  );

  scenario(
    'fails when Retry-After is longer than the deadline: TimedOut at once, never sleeping past it',
    {
      mappings: a2a(1),
      hook: (r) =>
        isList(r)
          ? {
              status: 429,
              headers: { 'Retry-After': '3600' },
              body: { error: { code: 'TooManyRequests', message: 'Throttled.' } },
            }
          : undefined,
    },
    async ({ arm, run }) => {
      const [r] = await run(job(arm, { timeoutseconds: '5' }));
      expect(r!.summary.outcome).toBe('TimedOut');
      expect(r!.ms).toBeLessThan(4500); // neither the hour asked for nor the 5 s deadline
      expect(arm.arm()).toHaveLength(1);
    },
  );

  (() => {
    const ms = ['s500', 's502', 's503', 's504', 's408', 'backoff', 'always503', 'n501'].map((n) =>
      mapping(n),
    );
    const byName = (n: string) => ms.find((m) => m.name === n)!;
    const sequences: Record<string, number[]> = {
      s500: [500, 500],
      s502: [502],
      s503: [503],
      s504: [504],
      s408: [408],
      backoff: [503],
      always503: [503, 503, 503, 503, 503, 503],
      n501: [501],
    };
    const counts = new Map<string, number>();
    scenario(
      'fails when a 5xx outlasts MaxRetries, or at once on 501; 408 and 5xx are retried until then',
      {
        mappings: ms,
        hook: (r) => {
          if (r.method !== 'PATCH') return undefined;
          const name = r.path.split('/').pop()!;
          const n = counts.get(name) ?? 0;
          counts.set(name, n + 1);
          const status = sequences[name]?.[n];
          if (status === undefined) return undefined;
          const headers: Record<string, string> = name === 'backoff' ? {} : { 'retry-after-ms': '10' };
          return {
            status,
            headers,
            body: { error: { code: `Code${status}`, message: `Transient ${status}.` } },
          };
        },
      },
      async ({ arm, run }) => {
        const [r] = await run(job(arm, { maxretries: '3' }));
        const s = r!.summary;
        expect(s.outcome).toBe('PartiallyFailed');
        for (const n of ['s500', 's502', 's503', 's504', 's408', 'backoff']) {
          expect(itemOf(s, byName(n)).result).toBe('Succeeded');
          expect(arm.patchesOf(byName(n).id)).toHaveLength(sequences[n]!.length + 1);
        }
        expect(itemOf(s, byName('always503'))).toMatchObject({ result: 'Failed', errorCode: 'Code503' });
        expect(arm.patchesOf(byName('always503').id)).toHaveLength(4);
        expect(itemOf(s, byName('n501'))).toMatchObject({ result: 'Failed', errorCode: 'Code501' });
        expect(arm.patchesOf(byName('n501').id)).toHaveLength(1);
        // Without a Retry-After, exponential backoff with jitter: at least a second before the first retry.
        const [b1, b2] = arm.patchesOf(byName('backoff').id);
        expect(b2!.at - b1!.at).toBeGreaterThanOrEqual(900);
      },
    );
  })();

  (() => {
    const ms = ['e400', 'e403', 'e404', 'e409', 'fine'].map((n) => mapping(n));
    scenario(
      'fails when ARM answers 400, 403, 404 or 409: sent once, ARM error code, message and request id in the summary',
      {
        mappings: ms,
        hook: (r) => {
          const name = r.path.split('/').pop()!;
          const status = Number(name.slice(1));
          if (r.method !== 'PATCH' || !/^e\d+$/.test(name)) return undefined;
          return armError(status, `Arm${status}Code`, `ARM says ${status} for ${name}.`);
        },
      },
      async ({ arm, run }) => {
        const [r] = await run(job(arm));
        const s = r!.summary;
        expect(s.outcome).toBe('PartiallyFailed');
        expect(s.counts).toMatchObject({ planned: 5, succeeded: 1, failed: 4 });
        for (const m of ms.slice(0, 4)) {
          const status = Number(m.name.slice(1));
          const patches = arm.patchesOf(m.id);
          expect(patches).toHaveLength(1);
          expect(itemOf(s, m)).toMatchObject({
            result: 'Failed',
            errorCode: `Arm${status}Code`,
            errorMessage: `ARM says ${status} for ${m.name}.`,
            requestId: patches[0]!.replyHeaders!['x-ms-request-id'],
            attempts: 1,
          });
        }
        expect(r!.warnings.filter((w) => w.includes('failed'))).toHaveLength(4);
      },
    );
  })();

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
        expect(item('failed')).toMatchObject({ operationStatus: 'Failed', errorCode: 'OperationFailedCode' });
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
          job(arm, { autoupdateaction: 'Disabled', providers: 'A2A,InMageRcm', automationaccountarmid: '' }),
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
      async ({ arm, run }) => {
        // The default deadline: requests keep a constant 100 s timeout, so a session keeps its connection.
        const [r] = await run(job(arm, { maxconcurrency: '4', timeoutseconds: '3600' }));
        expect(r!.summary.outcome).toBe('Succeeded');
        expect(r!.summary.counts).toMatchObject({ listed: 200, planned: 50, succeeded: 50, unchanged: 150 });
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

  // ------------------------------------------------------------------------ foreign operation hosts
  (() => {
    const ms = [mapping('async-foreign'), mapping('location-foreign')];
    scenario(
      'fails when Azure-AsyncOperation or Location points at another host, and sends that host nothing',
      { mappings: ms },
      async ({ arm, run }) => {
        arm.hook = (r) => {
          if (r.method !== 'PATCH') return undefined;
          const header = r.path.endsWith('/async-foreign') ? 'Azure-AsyncOperation' : 'Location';
          return {
            status: 202,
            headers: {
              [header]: `${arm.foreignEndpoint}${VAULT_ID}/replicationOperationStatus/x?api-version=2026-05-01`,
            },
          };
        };
        const [r] = await run(job(arm));
        expect(r!.summary.outcome).toBe('Failed');
        for (const item of r!.summary.mappings) expect(item.errorCode).toBe('ForeignHost');
        expect(arm.foreign()).toEqual([]);
      },
    );
  })();

  // ------------------------------------------------------------------------ input validation
  scenario(
    'fails when an id or parameter is malformed: InvalidInput for each, before any request',
    { mappings: a2a(1) },
    async ({ arm, run }) => {
      const sub = SUBSCRIPTION;
      const vault = (rest: string) => `/subscriptions/${sub}/resourceGroups/${rest}`;
      const badVaults = [
        '',
        ' ',
        `/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v1`,
        vault('rg/providers/Microsoft.RecoveryServices/vaults'),
        vault('rg/providers/Microsoft.RecoveryServices/vaults/'),
        vault('rg/providers/Microsoft.RecoveryServices/vaults/v1//'),
        vault('rg/providers/Microsoft.RecoveryServices/backupVaults/v1'),
        vault('rg/providers/Microsoft.Automation/automationAccounts/v1'),
        vault('rg/providers/Microsoft.RecoveryServices/vaults/v1/replicationFabrics/f1'),
        `https://management.azure.com${VAULT_ID}`,
        `subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v1`,
        vault('rg/providers/Microsoft.RecoveryServices/vaults/v1?api-version=2016-01-01'),
        vault('rg/providers/Microsoft.RecoveryServices/vaults/v1#x'),
        vault('rg/providers/Microsoft.RecoveryServices/vaults/v 1'),
        vault('rg/providers/Microsoft.RecoveryServices/vaults/v1\n'),
        vault('../providers/Microsoft.RecoveryServices/vaults/v1'),
        vault('rg/providers/Microsoft.RecoveryServices/vaults/..'),
        vault('rg/providers/Microsoft.RecoveryServices/vaults/v1%2f..'),
      ];
      const badAccounts = [
        vault('rg/providers/Microsoft.Automation/automationAccounts'),
        vault('rg/providers/Microsoft.Automation/automationAccounts/a1/runbooks/r1'),
        vault('rg/providers/Microsoft.RecoveryServices/vaults/a1'),
        `/subscriptions/xyz/resourceGroups/rg/providers/Microsoft.Automation/automationAccounts/a1`,
        vault('rg/providers/Microsoft.Automation/automationAccounts/a1?x=1'),
        vault('rg/providers/Microsoft.Automation/automationAccounts/a1\n'),
      ];
      const badOthers: Record<string, string>[] = [
        { autoupdateaction: 'Enable' },
        { autoupdateaction: '' },
        { providers: 'A2A,HyperVReplicaAzure' },
        { providers: ',' },
        { automationaccountarmid: '' },
        { azureenvironment: 'AzureGermanCloud' },
        { armendpoint: 'http://management.example.com' },
        { armendpoint: `${arm.armEndpoint}/some/path` },
        { armendpoint: 'ftp://127.0.0.1' },
        { apiversion: '2024-4-1' },
        { apiversion: '2026-05-01&x=1' },
        { timeoutseconds: '4' },
        { timeoutseconds: '10201' },
        { timeoutseconds: 'soon' },
        { maxconcurrency: '0' },
        { maxconcurrency: '17' },
        { maxretries: '11' },
        { maxretries: '-1' },
        { agentexpiringwithindays: '-1' },
        { agentexpiringwithindays: '366' },
        { agentexpiringwithindays: 'month' },
        { maxagentslisted: '5001' },
        { reporttimeutc: 'yesterday' },
        { reporttimeutc: '2026-11-30' },
        { reporttimeutc: '2026-11-30T00:00:00' },
        { reporttimeutc: '2026-13-30T00:00:00Z' },
      ];
      const cases = [
        ...badVaults.map((v) => job(arm, { vaultresourceid: v })),
        ...badAccounts.map((a) => job(arm, { automationaccountarmid: a })),
        ...badOthers.map((o) => job(arm, o)),
      ];
      const runs = await run(cases);
      const notRejected = runs
        .map((r, i) => ({ params: cases[i], outcome: r.summary.outcome }))
        .filter((x) => x.outcome !== 'InvalidInput');
      expect(notRejected).toEqual([]);
      for (const r of runs) {
        expect(r.threw).toBe(true);
        expect(r.warnings.length).toBeGreaterThan(0);
      }
      expect(arm.requests).toEqual([]);
    },
  );

  scenario(
    'accepts a vault id in other case with one trailing slash',
    { mappings: [enabled('ok')] },
    async ({ arm, run }) => {
      const [r] = await run(
        job(arm, { vaultresourceid: `${VAULT_ID.toLowerCase()}/`, autoupdateaction: 'enabled' }),
      );
      expect(r!.summary.outcome).toBe('NoChange');
      expect(r!.summary.counts.unchanged).toBe(1);
    },
  );

  // ------------------------------------------------------------------------ pwsh -File exit codes
  scenario(
    'fails when run by pwsh -File with a failure outcome: non-zero exit (0 on success), one JSON line either way',
    { mappings: [enabled('ok')] },
    async ({ arm }) => {
      const args = (vault: string) => [
        '-File',
        RUNBOOK,
        '-VaultResourceId',
        vault,
        '-AutoUpdateAction',
        'Enabled',
        '-AutomationAccountArmId',
        ACCOUNT_ID,
        '-ArmEndpoint',
        arm.armEndpoint,
      ];
      const [ok, bad] = await Promise.all([
        spawnPwsh(pwsh, args(VAULT_ID), arm.identityEnv),
        spawnPwsh(pwsh, args('/subscriptions/nope'), arm.identityEnv),
      ]);
      const jsonLines = (out: string) => out.split('\n').filter((l) => l.trim().startsWith('{'));
      expect(ok.exitCode).toBe(0);
      expect(jsonLines(ok.stdout)).toHaveLength(1);
      expect((JSON.parse(jsonLines(ok.stdout)[0]!) as RunbookSummary).outcome).toBe('NoChange');
      expect(bad.exitCode).not.toBe(0);
      expect(jsonLines(bad.stdout)).toHaveLength(1);
      expect((JSON.parse(jsonLines(bad.stdout)[0]!) as RunbookSummary).outcome).toBe('InvalidInput');
      for (const t of arm.issuedTokens) expect(ok.stdout + ok.stderr).not.toContain(t);
    },
  );
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
  // ------------------------------------------------------------------------ fleets (VaultResourceIds)
  (() => {
    const vaultB = VAULT_ID.replace(/vault-a$/, 'vault-b');
    const vaultC = VAULT_ID.replace(/vault-a$/, 'vault-c');
    const current = (name: string, vault: string, expiry = '2027-06-01T00:00:00Z') =>
      protectedItem(
        name,
        {
          provider: 'A2A',
          agentVersion: '9.62.1.1',
          agentExpiryDate: expiry,
          isReplicationAgentUpdateRequired: false,
          isReplicationAgentCertificateUpdateRequired: false,
        },
        vault,
      );
    scenario(
      'reconciles several vaults in one job: one answering 403 does not stop the others; a section per vault and the overall outcome',
      {
        otherVaults: [vaultB, vaultC],
        mappings: [
          mapping('a0'),
          mapping('a1'),
          mapping('b0', {}, vaultB),
          mapping('c0', { status: 'Enabled', account: ACCOUNT_ID, auth: 'SystemAssignedIdentity' }, vaultC),
        ],
        protectedItems: [
          current('vm-a', VAULT_ID),
          current('vm-c1', vaultC),
          current('vm-c2', vaultC, '2026-10-01T00:00:00Z'),
        ],
        hook: (r) =>
          r.path.toLowerCase().startsWith(vaultB.toLowerCase())
            ? armError(403, 'AuthorizationFailed', 'The identity has no role on vault-b.')
            : undefined,
      },
      async ({ arm, run }) => {
        const [r] = await run(
          fleetJob(arm, [VAULT_ID, ` ${vaultB}`, `${vaultC.toLowerCase()}/`].join(','), {
            reporttimeutc: '2026-11-30T00:00:00Z',
          }),
        );
        const s = r!.summary as unknown as FleetSummary;
        expect(r!.threw).toBe(true);
        expect(s.outcome).toBe('PartiallyFailed');
        // Each section names its vault as given (trimmed).
        expect(s.sections.map((x) => [/vaults\/([^/]+)/.exec(x.vault)![1], x.outcome])).toEqual([
          ['vault-a', 'Succeeded'],
          ['vault-b', 'Failed'],
          ['vault-c', 'AgentsNeedAttention'],
        ]);
        expect(s.vaultOutcomes).toEqual({ Succeeded: 1, Failed: 1, AgentsNeedAttention: 1 });
        expect(s.counts).toEqual({
          listed: 3,
          unchanged: 1,
          skipped: 0,
          planned: 2,
          succeeded: 2,
          failed: 0,
          timedOut: 0,
        });
        expect(s.agentCounts).toMatchObject({ OutOfSupport: 1, Current: 2 });
        expect(s.sections[1]!.message).toContain('AuthorizationFailed');
        expect(s.sections[1]!.agents!.state).toBe('NotRead');
        expect(s.sections[2]!.agents!.machines.map((m) => m.name)).toEqual(['vm-c2', 'vm-c1']);
        expect(s.sections[2]!.vault).toBe(`${vaultC.toLowerCase()}/`);
        expect(s.message).toContain('3 vault(s)');
        expect(r!.warnings.join('\n')).toContain('vault-b');
        // vault-b: one request (its listing, refused); no report read after it; vault-c still done.
        expect(arm.arm().filter((q) => q.path.toLowerCase().startsWith(vaultB.toLowerCase()))).toHaveLength(
          1,
        );
        expect(
          arm.mapping(arm.options.mappings[0]!.id).properties.providerSpecificDetails!.agentAutoUpdateStatus,
        ).toBe('Enabled');
        // A fleet that is in order (the report skipped) completes normally.
        const [again] = await run(fleetJob(arm, `${VAULT_ID},${vaultC}`, { skipagentreport: true }));
        const t = again!.summary as unknown as FleetSummary;
        expect(t.outcome).toBe('NoChange');
        expect(t.sections.map((x) => x.agents!.state)).toEqual(['Skipped', 'Skipped']);
      },
    );

    scenario(
      'fails when the one deadline runs out in a fleet one vault at a time: the vault that hangs TimedOut, the one after it NotStarted (never missing), within TimeoutSeconds',
      {
        otherVaults: [vaultB],
        mappings: [mapping('a0'), mapping('b0', {}, vaultB)],
        hook: (r) =>
          isList(r) && r.path.toLowerCase().startsWith(VAULT_ID.toLowerCase()) ? { status: 0 } : undefined,
      },
      async ({ arm, run }) => {
        const [r] = await run(
          fleetJob(arm, `${VAULT_ID},${vaultB}`, { timeoutseconds: '5', maxparallelvaults: '1' }),
        );
        const s = r!.summary as unknown as FleetSummary;
        // No vault succeeded: the fleet is Failed, not PartiallyFailed.
        expect(s.outcome).toBe('Failed');
        expect(s.sections.map((x) => x.outcome)).toEqual(['TimedOut', 'NotStarted']);
        expect(s.sections[0]!.agents!.message).toContain('deadline passed');
        expect(s.sections[1]!.message).toMatch(/^Not started/);
        expect(s.sections[1]!.agents!.state).toBe('NotRead');
        expect(r!.ms).toBeLessThan(9000);
        expect(arm.writes()).toEqual([]);
        expect(arm.arm().filter((q) => q.path.toLowerCase().startsWith(vaultB.toLowerCase()))).toEqual([]);
      },
    );

    scenario(
      'fails when VaultResourceIds is malformed, names a vault twice, is too long, or comes with VaultResourceId: InvalidInput, zero requests',
      {},
      async ({ arm, run }) => {
        const base = (ids: string, single?: string) =>
          fleetJob(arm, ids, single ? { vaultresourceid: single } : {});
        const many = Array.from({ length: 2001 }, (_, i) => VAULT_ID.replace(/vault-a$/, `vault-${i}`)).join(
          ',',
        );
        const cases = [
          base(`${VAULT_ID},/subscriptions/nope`),
          base(`${VAULT_ID},`),
          base(`${VAULT_ID},${VAULT_ID.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/')}`),
          base(`${VAULT_ID},${VAULT_ID}/`),
          base(many),
          base(vaultB, VAULT_ID),
        ];
        const runs = await run(cases);
        expect(runs.map((r) => r.summary.outcome)).toEqual(cases.map(() => 'InvalidInput'));
        expect(
          runs.map((r) => /twice|at most 2000|cannot be combined|must be/.test(r.summary.message)),
        ).toEqual(cases.map(() => true));
        expect((runs[4]!.summary as unknown as FleetSummary).vaults).toHaveLength(2001);
        expect(arm.requests).toEqual([]);
      },
    );
  })();
  // ------------------------------------------------------------------------ Microsoft's contract (test/fixtures/contracts)
  (() => {
    interface Example {
      parameters: JsonObject;
      responses: Record<string, { body?: JsonObject }>;
    }
    const example = (name: string) =>
      JSON.parse(
        readFileSync(join(__dirname, '..', 'fixtures', 'contracts', 'examples', `${name}.json`), 'utf8'),
      ) as Example;
    const list = example('ReplicationProtectionContainerMappings_List');
    const get = example('ReplicationProtectionContainerMappings_Get');
    const update = example('ReplicationProtectionContainerMappings_Update');
    const items = example('ReplicationProtectedItems_List');
    // The examples' own vault: no id is rewritten.
    const p = list.parameters;
    const exampleVault = `/subscriptions/${String(p.subscriptionId)}/resourceGroups/${String(p.resourceGroupName)}/providers/Microsoft.RecoveryServices/vaults/${String(p.resourceName)}`;
    const updated = update.responses['200']!.body as unknown as Mapping;
    const exampleAccount = String(updated.properties.providerSpecificDetails!.automationAccountArmId);
    const isItems = (r: Recorded) => r.method === 'GET' && /replicationProtectedItems$/i.test(r.path);
    const name =
      "fails when the mapping read back is the specification's Get example (no managed identity): the specification's own list, get, update and protected-items responses are read unchanged";
    scenario(
      name,
      { vaultId: exampleVault, mappings: [JSON.parse(JSON.stringify(updated)) as Mapping] },
      async ({ arm, run }) => {
        // The list example (a mapping without provider details) and the protected-items example (Hyper-V).
        arm.hook = (r) =>
          isList(r)
            ? { status: 200, body: list.responses['200']!.body! }
            : isItems(r)
              ? { status: 200, body: items.responses['200']!.body! }
              : undefined;
        const job1 = job(arm, { vaultresourceid: exampleVault, automationaccountarmid: exampleAccount });
        const [listed] = await run(job1);
        expect(listed!.summary.outcome).toBe('NoChange');
        expect(listed!.summary.mappings.map((m) => [m.provider, m.result])).toEqual([[null, 'Skipped']]);
        expect([listed!.summary.agents!.protectedItems, listed!.summary.agents!.otherProviders]).toEqual([
          1, 1,
        ]);
        // The Update example's mapping (A2A, enabled, Run As by default) is planned: moved to the managed
        // identity. The PATCH is answered with the Update example, the read-back with the Get example.
        arm.hook = (r) =>
          r.method === 'PATCH'
            ? { status: 200, body: update.responses['200']!.body! }
            : r.method === 'GET' && r.path.toLowerCase() === updated.id.toLowerCase()
              ? { status: 200, body: get.responses['200']!.body! }
              : undefined;
        const [patched] = await run(job1);
        expect(patched!.summary.mappings[0]).toMatchObject({
          result: 'Failed',
          errorCode: 'VerificationMismatch',
        });
        expect(bodyOf(arm.patchesOf(updated.id)[0]!).properties.providerSpecificInput).toEqual({
          instanceType: 'A2A',
          agentAutoUpdateStatus: 'Enabled',
          automationAccountAuthenticationType: 'SystemAssignedIdentity',
          automationAccountArmId: exampleAccount,
        });
        const answered = (id: string) =>
          contractCoverage()
            .find((c) => c.key === `${id}@2026-05-01`)!
            .examples.has(name);
        expect(
          [
            'ReplicationProtectionContainerMappings_List',
            'ReplicationProtectionContainerMappings_Get',
            'ReplicationProtectionContainerMappings_Update',
            'ReplicationProtectedItems_List',
          ].map(answered),
        ).toEqual([true, true, true, true]);
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

  declared++;
  it.concurrent(
    'fails when a modified copy of the runbook breaks the contract: a property in other case, an enum value the service does not know, an api-version the contract lacks are each refused by the fake, the violation named in the summary',
    async () => {
      const source = readFileSync(RUNBOOK, 'utf8');
      const body =
        "[ordered]@{ instanceType = 'A2A'; agentAutoUpdateStatus = $Ctx.Action; automationAccountAuthenticationType = 'SystemAssignedIdentity' }";
      const mutations = [
        {
          name: 'agentAutoUpdateStatus spelled AgentAutoUpdateStatus',
          from: body,
          to: body.replace('agentAutoUpdateStatus', 'AgentAutoUpdateStatus'),
          named: /unknown property 'AgentAutoUpdateStatus' \(the schema spells it 'agentAutoUpdateStatus'/,
          code: 'InvalidRequestContent',
        },
        {
          name: "automationAccountAuthenticationType 'ManagedIdentity'",
          from: body,
          to: body.replace("'SystemAssignedIdentity'", "'ManagedIdentity'"),
          named: /'ManagedIdentity' is not one of RunAsAccount, SystemAssignedIdentity/,
          code: 'InvalidRequestContent',
        },
        {
          name: 'api-version 2099-01-01',
          from: "[string] $ApiVersion = '2026-05-01'",
          to: "[string] $ApiVersion = '2099-01-01'",
          named: /api-version '2099-01-01' is not in the contract/,
          code: 'NoRegisteredProviderFound',
        },
      ];
      const dir = mkdtempSync(join(tmpdir(), 'runbook-contract-'));
      try {
        // One copy after another: each is a pwsh of its own, and the other scenarios need the second slot.
        for (const [i, m] of mutations.entries()) {
          await (async () => {
            // Exactly one place changes: if the runbook is rewritten, this test must be too.
            expect(source.split(m.from)).toHaveLength(2);
            const copy = join(dir, `Set-AsrMobilityAutoUpdate-${i}.ps1`);
            writeFileSync(copy, source.replace(m.from, m.to));
            const arm = await new FakeArm({ vaultId: VAULT_ID, mappings: [mapping('m0')] }).start();
            arm.contract.scenario = `modified copy of the runbook: ${m.name}`;
            try {
              const { runs } = await runRunbookProcess(pwsh, [job(arm)], arm.identityEnv, copy);
              const s = runs[0]!.summary;
              expect(s.outcome).toBe('Failed');
              expect(runs[0]!.threw).toBe(true);
              expect(JSON.stringify(s)).toMatch(m.named);
              expect(JSON.stringify(s)).toContain(m.code);
              expect(arm.contract.violations).toEqual([expect.stringMatching(m.named)]);
              expect(arm.writes().filter((w) => w.status === 202)).toEqual([]);
            } finally {
              await arm.close();
            }
          })();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      passed++;
    },
    // Three cold pwsh starts, one after another.
    180_000,
  );
});
