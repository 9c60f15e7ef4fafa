import { join } from 'node:path';
import { Testing, TerraformStack } from 'cdktf';
import {
  MAX_VAULTS_PER_ACCOUNT,
  resolveExistingVaultsScenario,
  ValidationError,
  type ExistingVaultsScenarioProps,
} from '../../constructs/domain';
import { runbookAsset, runbookParameterNames } from '../../constructs/domain/internal';
import * as tf from '../../constructs/cdktf';
import * as pl from '../../constructs/pulumi';
import {
  readStackFile,
  runOffline,
  runOfflineProgram,
  type OfflinePreview,
} from '../../stacks/pulumi/offline';
import { PROJECT_NAME } from '../../stacks/pulumi/project-file';
import { only, resources, type TfJson } from '../cdktf/helpers';
import { fixedClock, SUB, violationsOf } from '../fixtures';

const root = join(__dirname, '..', '..');
const vaultId = (rg: string, name: string) =>
  `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.RecoveryServices/vaults/${name}`;
const WEU = vaultId('rg-dr-weu', 'rsv-a');
const WUS3 = vaultId('rg-dr-wus3', 'rsv-b');
const fleet = (overrides: Partial<ExistingVaultsScenarioProps> = {}): ExistingVaultsScenarioProps => ({
  vaults: [
    { vaultResourceId: WEU, sourceRegion: 'northeurope' },
    { vaultResourceId: WUS3, sourceRegion: 'eastus' },
  ],
  automation: {
    name: 'aa-fleet-updates',
    resourceGroupName: 'rg-automation',
    location: 'westeurope',
    clock: fixedClock,
  },
  ...overrides,
});

describe('existing example stack under Pulumi mocks', () => {
  let p: OfflinePreview;
  beforeAll(async () => {
    const { config } = readStackFile(join(root, 'Pulumi.existing.yaml'));
    p = await runOffline(config, { project: PROJECT_NAME, stack: 'existing', clock: fixedClock });
  });
  const of = (type: string) => p.resources.filter((r) => r.type === `azure-native:${type}`);

  it('matches the committed snapshot', () => {
    expect(p).toMatchSnapshot();
  });

  it('registers no vault, fabric, container, policy or mapping, and one automation account', () => {
    expect(p.resources.filter((r) => r.type.startsWith('azure-native:recoveryservices:'))).toEqual([]);
    expect(of('automation:AutomationAccount').map((a) => a.inputs)).toEqual([
      expect.objectContaining({
        automationAccountName: 'aa-asr-fleet-updates',
        identity: { type: 'SystemAssigned' },
        disableLocalAuth: true,
      }),
    ]);
  });

  it('scopes a role assignment exactly to each configured vault id', () => {
    const { config } = readStackFile(join(root, 'Pulumi.existing.yaml'));
    const ids = (
      JSON.parse(config['asr-mobility-autoupdate:existingVaults']!) as { vaultResourceId: string }[]
    ).map((v) => v.vaultResourceId);
    expect(
      of('authorization:RoleAssignment')
        .map((r) => r.inputs.scope)
        .sort(),
    ).toEqual([...ids, '/subscriptions/00000000-0000-0000-0000-000000000000'].sort());
  });

  it('groups job schedules by time zone, each passing its vault ids', () => {
    expect(
      of('automation:Schedule')
        .map((s) => s.inputs.timeZone)
        .sort(),
    ).toEqual(['America/New_York', 'Europe/Amsterdam', 'Europe/Dublin']);
    for (const j of of('automation:JobSchedule')) {
      const params = j.inputs.parameters as Record<string, string>;
      // The discovery job (Europe/Amsterdam) has its own parameters: see test/cdktf/stacks.test.ts.
      if (params.discoverysubscriptionids) {
        expect(params.discoverytag).toBe('asr-autoupdate=enabled');
        continue;
      }
      expect(Object.keys(params).sort()).toEqual([
        'automationaccountarmid',
        'autoupdateaction',
        'providers',
        'timeoutseconds',
        'vaultresourceids',
      ]);
      expect(params.timeoutseconds).toBe('10200');
      expect(params.vaultresourceids).toMatch(
        /^\/subscriptions\/.*\/providers\/Microsoft\.RecoveryServices\/vaults\/rsv-/,
      );
    }
  });
});

describe('existing vaults: the scenario', () => {
  it('puts vaults that share a time zone in one job, in the order given, and gives each zone its own schedule', () => {
    const third = vaultId('rg-dr-uks', 'rsv-c');
    const spec = resolveExistingVaultsScenario(
      fleet({
        vaults: [
          { vaultResourceId: WEU, sourceRegion: 'northeurope' },
          { vaultResourceId: WUS3, sourceRegion: 'eastus' },
          { vaultResourceId: third, timeZone: 'Europe/Dublin' },
        ],
      }),
    );
    expect(spec.automation.schedules.map((s) => [s.name, s.jobParameters.vaultresourceids])).toEqual([
      ['asr-mobility-autoupdate-daily-america-new_york', WUS3],
      ['asr-mobility-autoupdate-daily-europe-dublin', `${WEU},${third}`],
    ]);
    expect(spec.automation.roleAssignments.map((r) => r.scope.resourceId)).toEqual([WEU, WUS3, third]);
  });

  it('derives the same names and ids on every run', () => {
    const a = resolveExistingVaultsScenario(fleet());
    const b = resolveExistingVaultsScenario(fleet());
    expect(a.automation.schedules.map((s) => s.jobScheduleId)).toEqual(
      b.automation.schedules.map((s) => s.jobScheduleId),
    );
    expect(a.automation.roleAssignments.map((r) => r.name)).toEqual(
      b.automation.roleAssignments.map((r) => r.name),
    );
  });

  it('fails when a vault id is malformed or of another type, naming the prop, the value and the rule', () => {
    const bad = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Automation/automationAccounts/aa`;
    const v = violationsOf(() =>
      resolveExistingVaultsScenario(
        fleet({
          vaults: [
            { vaultResourceId: 'rsv-a', sourceRegion: 'northeurope' },
            { vaultResourceId: bad, sourceRegion: 'eastus' },
          ],
        }),
      ),
    );
    expect(v).toEqual([
      expect.objectContaining({
        prop: 'vaults[0].vaultResourceId',
        value: 'rsv-a',
        rule: expect.stringContaining('Microsoft.RecoveryServices/vaults resource id'),
      }),
      expect.objectContaining({ prop: 'vaults[1].vaultResourceId', value: bad }),
    ]);
  });

  it('accepts the vault type in any case', () => {
    const lower = WEU.replace('Microsoft.RecoveryServices/vaults', 'microsoft.recoveryservices/VAULTS');
    expect(() =>
      resolveExistingVaultsScenario(
        fleet({ vaults: [{ vaultResourceId: lower, sourceRegion: 'northeurope' }] }),
      ),
    ).not.toThrow();
  });

  it('fails when a vault appears twice, compared case-insensitively', () => {
    const v = violationsOf(() =>
      resolveExistingVaultsScenario(
        fleet({
          vaults: [
            { vaultResourceId: WEU, sourceRegion: 'northeurope' },
            {
              vaultResourceId: WEU.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/'),
              sourceRegion: 'northeurope',
            },
          ],
        }),
      ),
    );
    expect(v).toEqual([
      expect.objectContaining({
        prop: 'vaults[1].vaultResourceId',
        rule: expect.stringContaining('each vault may appear once'),
      }),
    ]);
  });

  it(`fails when there are more than ${MAX_VAULTS_PER_ACCOUNT} vaults, or none`, () => {
    const many = Array.from({ length: MAX_VAULTS_PER_ACCOUNT + 1 }, (_, i) => ({
      vaultResourceId: vaultId('rg-dr', `rsv-${i}`),
      sourceRegion: 'westeurope',
    }));
    expect(violationsOf(() => resolveExistingVaultsScenario(fleet({ vaults: many })))).toEqual([
      expect.objectContaining({
        prop: 'vaults',
        value: `${MAX_VAULTS_PER_ACCOUNT + 1} vaults`,
        rule: expect.stringContaining('3-hour fair-share limit'),
      }),
    ]);
    expect(violationsOf(() => resolveExistingVaultsScenario(fleet({ vaults: [] })))).toEqual([
      expect.objectContaining({ prop: 'vaults', value: '0 vaults' }),
    ]);
    expect(() =>
      resolveExistingVaultsScenario(fleet({ vaults: many.slice(0, MAX_VAULTS_PER_ACCOUNT) })),
    ).not.toThrow();
  });

  it('fails when a vault has neither a source region nor a time zone', () => {
    const v = violationsOf(() =>
      resolveExistingVaultsScenario(fleet({ vaults: [{ vaultResourceId: WEU }] })),
    );
    expect(v).toEqual([
      expect.objectContaining({
        prop: 'vaults[0].sourceRegion',
        value: undefined,
        rule: expect.stringContaining('is required unless timeZone is given'),
      }),
    ]);
  });

  it('fails when the account has no name, resource group or region, and names each', () => {
    const v = violationsOf(() =>
      resolveExistingVaultsScenario(fleet({ automation: { clock: fixedClock } as never })),
    );
    expect(v.map((x) => x.prop)).toEqual(
      expect.arrayContaining(['automation.name', 'automation.resourceGroupName', 'automation.location']),
    );
  });

  it('fails when a single-vault prop is given to the fleet account', () => {
    const v = violationsOf(() =>
      resolveExistingVaultsScenario(
        fleet({ automation: { ...fleet().automation, sourceRegion: 'westeurope' } as never }),
      ),
    );
    expect(v).toEqual([
      expect.objectContaining({
        prop: 'automation.sourceRegion',
        rule: expect.stringContaining('is not a known prop'),
      }),
    ]);
  });

  it('throws one ValidationError for the scenario', () => {
    expect(() => resolveExistingVaultsScenario(fleet({ vaults: [{ vaultResourceId: 'x' }] }))).toThrow(
      ValidationError,
    );
  });
});

describe('existing vaults: the runbook takes what the fleet sends', () => {
  // The shipped runbook, as the adapters embed or upload it.
  const runbook = runbookAsset().content;
  const params = runbookParameterNames(runbook).map((n) => n.toLowerCase());

  it('receives every job schedule parameter of a fleet (lower-cased by Automation)', () => {
    for (const s of resolveExistingVaultsScenario(fleet()).automation.schedules)
      expect(Object.keys(s.jobParameters).filter((k) => !params.includes(k))).toEqual([]);
  });

  it('bounds a fleet below the runbook own limit', () => {
    const limit = Number(/\$MaxFleetVaults = (\d+)/.exec(runbook)?.[1]);
    expect(MAX_VAULTS_PER_ACCOUNT).toBeLessThanOrEqual(limit);
  });
});

describe('existing vaults: bad input creates nothing', () => {
  it('fails in cdktf before anything is added to the tree', () => {
    const stack = new TerraformStack(Testing.app(), 'fleet');
    expect(
      () =>
        new tf.ExistingVaultsMobilityAutoUpdate(
          stack,
          'Fleet',
          fleet({ vaults: [{ vaultResourceId: 'x' }] }),
        ),
    ).toThrow(/^Existing vaults scenario: 2 invalid props:/);
    expect(stack.node.children.map((c) => c.node.id)).toEqual([]);
  });

  it('fails under Pulumi before anything is registered', async () => {
    await expect(
      runOfflineProgram(
        () => new pl.ExistingVaultsMobilityAutoUpdate('fleet', fleet({ vaults: [{ vaultResourceId: 'x' }] })),
        { project: PROJECT_NAME, stack: 'bad' },
      ),
    ).rejects.toThrow(ValidationError);
  });
});

describe('existing vaults: the automation building block with RecoveryVault.fromVaultId', () => {
  it('Terraform: declares no vault, scopes the role to the id, and names the account from the id', () => {
    const stack = new TerraformStack(Testing.app(), 'block');
    const vault = tf.RecoveryVault.fromVaultId(stack, 'Vault', WEU, {
      sourceRegion: 'northeurope',
      location: 'westeurope',
    });
    new tf.AutoUpdateAutomation(stack, 'Automation', { vault, clock: fixedClock });
    const doc = JSON.parse(Testing.synth(stack)) as TfJson;
    expect(doc.resource.azurerm_recovery_services_vault).toBeUndefined();
    expect(only(doc, 'azurerm_automation_account')).toMatchObject({
      name: 'rsv-a-asr-updates',
      resource_group_name: 'rg-dr-weu',
      location: 'westeurope',
    });
    expect(only(doc, 'azurerm_role_assignment').scope).toBe(WEU);
    expect(only(doc, 'azurerm_automation_schedule').timezone).toBe('Europe/Dublin');
    expect(
      (only(doc, 'azurerm_automation_job_schedule').parameters as Record<string, string>).vaultresourceid,
    ).toBe(WEU);
    expect(resources(doc, 'azurerm_automation_job_schedule')).toHaveLength(1);
  });

  it('Pulumi: registers no vault and passes the id to the job and the role', async () => {
    const preview = await runOfflineProgram(
      () => {
        const vault = pl.RecoveryVault.fromVaultId(WEU, { sourceRegion: 'northeurope' });
        new pl.AutoUpdateAutomation('automation', { vault, clock: fixedClock });
      },
      { project: PROJECT_NAME, stack: 'block' },
    );
    expect(preview.resources.some((r) => r.type === 'azure-native:recoveryservices:Vault')).toBe(false);
    const role = preview.resources.find((r) => r.type === 'azure-native:authorization:RoleAssignment')!;
    expect(role.inputs.scope).toBe(WEU);
    const job = preview.resources.find((r) => r.type === 'azure-native:automation:JobSchedule')!;
    expect((job.inputs.parameters as Record<string, string>).vaultresourceid).toBe(WEU);
    const account = preview.resources.find((r) => r.type === 'azure-native:automation:AutomationAccount')!;
    expect(account.inputs).toMatchObject({
      automationAccountName: 'rsv-a-asr-updates',
      location: 'northeurope',
    });
  });

  it('fails when the id is malformed, and when the source region is missing', () => {
    const stack = new TerraformStack(Testing.app(), 'bad');
    expect(() =>
      tf.RecoveryVault.fromVaultId(stack, 'Vault', 'rsv-a', { sourceRegion: 'northeurope' }),
    ).toThrow(
      /^RecoveryVault\.fromVaultId: 1 invalid prop:\n {2}- vaultResourceId: received "rsv-a"; must be a Microsoft\.RecoveryServices\/vaults resource id/,
    );
    expect(() => pl.RecoveryVault.fromVaultId(WEU, {})).toThrow(
      /sourceRegion: received undefined; is required unless timeZone is given/,
    );
  });
});
