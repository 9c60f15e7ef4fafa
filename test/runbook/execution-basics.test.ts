import { resolveA2AScenario } from '../../constructs/domain';
import { a2aProps } from '../fixtures';
import { ACCOUNT_ID, IDENTITY_SECRET, SUBSCRIPTION, VAULT_ID } from './fake-arm';
import { RUNBOOK, spawnPwsh, type RunbookSummary } from './harness';
import { a2a, armError, bodyOf, enabled, executionScenarios, job, pwshCheck, scenario } from './scenarios';

/** The runbook's execution scenarios: parsing, the normal path, tokens, input validation, exit codes (shared helpers: scenarios.ts). */
executionScenarios(__filename, 'parsing, the normal path, tokens, input validation, exit codes', () => {
  // ------------------------------------------------------------------------ parser and #Requires
  pwshCheck(
    'parses with PowerShell own parser and requires the oldest runtime the constructs deploy (7.4)',
    async (pwsh) => {
      const script = [
        '$errors = $null; $tokens = $null',
        `$ast = [System.Management.Automation.Language.Parser]::ParseFile('${RUNBOOK.replace(/'/g, "''")}', [ref] $tokens, [ref] $errors)`,
        '[Console]::Out.WriteLine((@{ errors = @($errors | ForEach-Object { "$($_.Extent.StartLineNumber): $($_.Message)" }); requires = [string] $ast.ScriptRequirements.RequiredPSVersion; params = @($ast.ParamBlock.Parameters | ForEach-Object { $_.Name.VariablePath.UserPath }) } | ConvertTo-Json -Compress))',
      ].join('\n');
      const proc = await spawnPwsh(pwsh, ['-Command', script], {});
      expect(proc.exitCode).toBe(0);
      const parsed = JSON.parse(proc.stdout.trim()) as {
        errors: string[];
        requires: string;
        params: string[];
      };
      expect(parsed.errors).toEqual([]);
      expect(parsed.requires).toBe('7.4');
      expect(parsed.params).toContain('VaultResourceId');
    },
  );

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
    async ({ arm, pwsh }) => {
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
});
