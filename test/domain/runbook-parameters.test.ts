import { Testing, TerraformStack } from 'cdktf';
import * as tf from '../../constructs/cdktf';
import {
  bindJobParameters,
  checkRunbookParameterTable,
  resolveA2AScenario,
  resolveExistingVaultsScenario,
  resolveVmwareScenario,
  RUNBOOK_PARAMETERS,
  runbookAsset,
  runbookJobParameters,
  runbookParameterNames,
  type ExistingVaultsScenarioProps,
  type RunbookParameter,
  type RunbookScenario,
} from '../../constructs/domain/internal';
import * as pl from '../../constructs/pulumi';
import { runOfflineProgram } from '../../stacks/pulumi/offline';
import { PROJECT_NAME } from '../../stacks/pulumi/project-file';
import { resources, type TfJson } from '../cdktf/helpers';
import { a2aProps, fixedClock, SUB, vmwareProps } from '../fixtures';

// The shipped runbook, as the adapters embed or upload it (never a source path: the file is built).
const script = runbookAsset().content;
const LAW = `/subscriptions/${SUB}/resourceGroups/rg-ops/providers/Microsoft.OperationalInsights/workspaces/law-ops`;
const vaultId = (rg: string, name: string) =>
  `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.RecoveryServices/vaults/${name}`;
/** A fleet that sets every parameter a fleet job can carry: listed vaults in two zones, discovery, visibility. */
const fleet: ExistingVaultsScenarioProps = {
  vaults: [
    { vaultResourceId: vaultId('rg-a', 'rsv-a'), sourceRegion: 'westeurope' },
    { vaultResourceId: vaultId('rg-b', 'rsv-b'), sourceRegion: 'eastus' },
  ],
  discovery: {
    subscriptionIds: [SUB],
    managementGroupId: 'mg-dr',
    tag: { name: 'dr', value: 'on' },
    excludeVaultResourceIds: [vaultId('rg-c', 'rsv-c')],
    timeZone: 'Europe/Amsterdam',
  },
  automation: {
    name: 'aa-fleet-updates',
    resourceGroupName: 'rg-automation',
    location: 'westeurope',
    clock: fixedClock,
    visibility: { workspaceResourceId: LAW },
  },
};
const withVisibility = { clock: fixedClock, visibility: { workspaceResourceId: LAW } };

const jobNames = (scenario: RunbookScenario) =>
  RUNBOOK_PARAMETERS.filter((r) => r.scenarios.includes(scenario)).map((r) => r.jobName as string);

describe('the runbook parameter table and the runbook', () => {
  it('agree: every table parameter is declared in the param block, lower-cased as Automation stores it', () => {
    expect(checkRunbookParameterTable(script)).toEqual([]);
    const declared = runbookParameterNames(script);
    expect(RUNBOOK_PARAMETERS.map((r) => r.name).filter((n) => !declared.includes(n))).toEqual([]);
    for (const row of RUNBOOK_PARAMETERS) expect(row.jobName).toBe(row.name.toLowerCase());
  });

  it('reads the param block as PowerShell declares it (attributes, defaults, comments, a switch)', () => {
    const sample = [
      '# param($NotThis)',
      'param(',
      "    [Parameter(Mandatory = $true)] [ValidateSet('A2A', 'InMageRcm')] [string] $Providers = 'A2A',",
      '    # a comment with a $Fake, and (parentheses)',
      "    [string[]] $Ids = @('a', 'b'),",
      '    [switch] $DryRun,',
      "    $Untyped = ''",
      ')',
      '$Later = 1',
    ].join('\n');
    expect(runbookParameterNames(sample)).toEqual(['Providers', 'Ids', 'DryRun', 'Untyped']);
    expect(runbookParameterNames('Write-Output 1')).toEqual([]);
  });

  it('fails when the table names a parameter the runbook does not declare (a mutated table)', () => {
    const renamed: RunbookParameter[] = RUNBOOK_PARAMETERS.map((r) =>
      r.name === 'Providers' ? { ...r, name: 'Provider', jobName: 'provider' } : r,
    );
    expect(checkRunbookParameterTable(script, renamed)).toEqual([
      "Provider: not declared in the runbook's param block",
    ]);
  });

  it('fails when a job name is not the declared name in lower case, a row is repeated or set by no scenario', () => {
    const broken: RunbookParameter[] = [
      { ...RUNBOOK_PARAMETERS[0]!, jobName: 'vaultid' as Lowercase<string> },
      RUNBOOK_PARAMETERS[2]!,
      RUNBOOK_PARAMETERS[2]!,
      { ...RUNBOOK_PARAMETERS[4]!, scenarios: [] },
      { ...RUNBOOK_PARAMETERS[3]!, reference: undefined },
    ];
    expect(checkRunbookParameterTable(script, broken)).toEqual([
      'VaultResourceId: job name vaultid is not the declared name in lower case',
      'AutoUpdateAction: listed more than once',
      'Providers: no scenario sets it',
      'AutomationAccountArmId: a reference names what it is bound to, a literal does not',
    ]);
  });

  it('fails when the runbook has no param block', () => {
    expect(checkRunbookParameterTable('Write-Output 1')[0]).toBe('the runbook has no top-level param block');
  });
});

describe('job parameters come from the table', () => {
  it('a vault job sets only its scenario rows, in table order, references as symbols', () => {
    for (const spec of [
      resolveA2AScenario(a2aProps({ automation: withVisibility })),
      resolveVmwareScenario(vmwareProps({ automation: withVisibility })),
    ]) {
      const params = spec.automation!.jobParameters as unknown as Record<string, string>;
      expect(Object.keys(params)).toEqual(jobNames('vault'));
      expect(params.vaultresourceid).toBe('<vault.id>');
      expect(params.ingestionruleid).toBe('<dataCollectionRule.immutableId>');
    }
  });

  it('a fleet job sets only fleet rows, in table order', () => {
    const schedules = resolveExistingVaultsScenario(fleet).automation.schedules;
    const discovering = schedules.find((s) => s.discovery)!;
    expect(Object.keys(discovering.jobParameters)).toEqual(jobNames('fleet'));
    for (const s of schedules)
      expect(Object.keys(s.jobParameters).filter((k) => !jobNames('fleet').includes(k))).toEqual([]);
  });

  it('fails when a job sets a parameter the table does not give its scenario, or a literal by reference', () => {
    expect(() => runbookJobParameters('vault', { TimeoutSeconds: '60' })).toThrow(
      /TimeoutSeconds is not a parameter of the vault scenario's jobs/,
    );
    const withoutProviders = RUNBOOK_PARAMETERS.filter((r) => r.name !== 'Providers');
    expect(() => runbookJobParameters('vault', { Providers: 'A2A' }, withoutProviders)).toThrow(
      /Providers is not a parameter/,
    );
    expect(() => runbookJobParameters('fleet', { Providers: true })).toThrow(/Providers is a literal/);
  });

  it('binds literals as they are and references to the engine values, and fails on a parameter outside the table', () => {
    const bound = bindJobParameters(
      { vaultresourceid: '<vault.id>', providers: 'A2A', automationaccountarmid: '<automationAccount.id>' },
      { 'vault.id': 'VAULT', 'automationAccount.id': 'ACCOUNT' },
    );
    expect(bound).toEqual({ vaultresourceid: 'VAULT', automationaccountarmid: 'ACCOUNT', providers: 'A2A' });
    expect(Object.keys(bound)).toEqual(['vaultresourceid', 'automationaccountarmid', 'providers']);
    expect(() => bindJobParameters({ maxretries: '3' }, {})).toThrow(
      /not in the runbook's table: maxretries/,
    );
    expect(() => bindJobParameters({ vaultresourceid: '<vault.id>' }, {})).toThrow(
      /no value for VaultResourceId's reference vault.id/,
    );
  });
});

describe('every parameter an adapter binds is in the table and declared by the runbook', () => {
  const declared = runbookParameterNames(script).map((n) => n.toLowerCase());
  const inTableAndRunbook = (keys: string[], scenario: RunbookScenario) => {
    expect(keys.filter((k) => !jobNames(scenario).includes(k))).toEqual([]);
    expect(keys.filter((k) => !declared.includes(k))).toEqual([]);
  };

  it('Terraform: the vault and fleet job schedules', () => {
    const stack = new TerraformStack(Testing.app(), 'params');
    new tf.A2AMobilityAutoUpdate(stack, 'A2A', a2aProps({ automation: withVisibility }));
    new tf.ExistingVaultsMobilityAutoUpdate(stack, 'Fleet', fleet);
    const doc = JSON.parse(Testing.synth(stack)) as TfJson;
    const jobs = resources(doc, 'azurerm_automation_job_schedule').map(
      (j) => j.parameters as Record<string, string>,
    );
    expect(jobs).toHaveLength(3);
    const [vaultJob, ...fleetJobs] = jobs.sort(
      (a, b) => Number('vaultresourceids' in a) - Number('vaultresourceids' in b),
    );
    inTableAndRunbook(Object.keys(vaultJob!), 'vault');
    // Terraform's JSON lists keys sorted: every vault parameter is there.
    expect(Object.keys(vaultJob!).sort()).toEqual(jobNames('vault').sort());
    for (const j of fleetJobs) inTableAndRunbook(Object.keys(j), 'fleet');
  });

  it('Pulumi: the vault and fleet job schedules', async () => {
    const preview = await runOfflineProgram(
      () => {
        new pl.A2AMobilityAutoUpdate('a2a', a2aProps({ automation: withVisibility }));
        new pl.ExistingVaultsMobilityAutoUpdate('fleet', fleet);
      },
      { project: PROJECT_NAME, stack: 'params' },
    );
    const jobs = preview.resources
      .filter((r) => r.type === 'azure-native:automation:JobSchedule')
      .map((r) => ({ parent: String(r.parent), keys: Object.keys(r.inputs.parameters as object) }));
    expect(jobs).toHaveLength(3);
    for (const j of jobs) inTableAndRunbook(j.keys, j.parent.includes('ExistingVaults') ? 'fleet' : 'vault');
    expect(jobs.filter((j) => j.keys.includes('vaultresourceid'))).toHaveLength(1);
  });
});
