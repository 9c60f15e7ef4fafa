import { Testing, TerraformStack, TerraformVariable } from 'cdktf';
import * as pulumi from '@pulumi/pulumi';
import {
  resolveExistingVaultsScenario,
  RUNBOOK_ROLE_ACTIONS,
  type ExistingVaultsScenarioProps,
} from '../../constructs/domain';
import * as tf from '../../constructs/cdktf';
import * as pl from '../../constructs/pulumi';
import { PULUMI_DEPLOY_TIME } from '../../constructs/pulumi/shared';
import type { DeployTimeValues } from '../../constructs/domain';
import { runOfflineProgram } from '../../stacks/pulumi/offline';
import { PROJECT_NAME } from '../../stacks/pulumi/project-file';
import { resources, type TfJson } from '../cdktf/helpers';
import { fixedClock, SUB, violationsOf } from '../fixtures';

const SUB2 = '00000000-0000-0000-0000-000000000002';
const vaultId = (rg: string, name: string, sub = SUB) =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.RecoveryServices/vaults/${name}`;
const automation = {
  name: 'aa-fleet-updates',
  resourceGroupName: 'rg-automation',
  location: 'westeurope',
  clock: fixedClock,
};
const A = vaultId('rg-a', 'rsv-a');
const B = vaultId('rg-b', 'rsv-b');
const C = vaultId('rg-c', 'rsv-c');
const discovery = {
  subscriptionIds: [SUB, SUB2.toUpperCase()],
  managementGroupId: 'mg-dr_(prod).eu',
  tag: { name: 'asr-autoupdate', value: 'enabled' },
  excludeVaultResourceIds: [vaultId('rg-x', 'rsv-legacy')],
  timeZone: 'Europe/Amsterdam',
};
/** The job parameters the runbook declares for issue 27 (shared/INTERFACES.md), lower-cased as Automation passes them. */
const DISCOVERY_PARAMETERS = [
  'discoverysubscriptionids',
  'discoverymanagementgroupid',
  'discoverytag',
  'excludevaultresourceids',
];

describe('existing vaults: discovery by scope and tag', () => {
  it('assigns the role at each subscription and the management group, and says so in warning ASR-W01', () => {
    const spec = resolveExistingVaultsScenario({ discovery, automation });
    const scopes = spec.automation.roleAssignments.map((r) => r.scope.resourceId);
    expect(scopes).toEqual([
      `/subscriptions/${SUB}`,
      `/subscriptions/${SUB2}`,
      '/providers/Microsoft.Management/managementGroups/mg-dr_(prod).eu',
    ]);
    expect(spec.warnings.map((w) => [w.ruleId, w.prop, w.value])).toEqual([
      ['ASR-W01', 'discovery.subscriptionIds[0]', `/subscriptions/${SUB}`],
      ['ASR-W01', 'discovery.subscriptionIds[1]', `/subscriptions/${SUB2}`],
      [
        'ASR-W01',
        'discovery.managementGroupId',
        '/providers/Microsoft.Management/managementGroups/mg-dr_(prod).eu',
      ],
    ]);
    expect(spec.warnings[0]!.message).toMatch(/whole subscription so that the runbook finds/);
    // The custom role (the default): the narrower truth, not "its role on every resource".
    expect(spec.warnings[0]!.message).toMatch(
      /library's custom role .* nothing else|every Recovery Services vault/,
    );
  });

  it('runs one job in the stated time zone that passes the discovery parameters and the fleet deadline', () => {
    const spec = resolveExistingVaultsScenario({ discovery, automation });
    expect(spec.automation.schedules).toHaveLength(1);
    const s = spec.automation.schedules[0]!;
    expect(s.timeZone).toBe('Europe/Amsterdam');
    expect(s.jobParameters).toEqual({
      autoupdateaction: 'Enabled',
      automationaccountarmid: '<automationAccount.id>',
      providers: 'A2A',
      timeoutseconds: '10200',
      discoverysubscriptionids: `${SUB},${SUB2}`,
      discoverymanagementgroupid: 'mg-dr_(prod).eu',
      discoverytag: 'asr-autoupdate=enabled',
      excludevaultresourceids: vaultId('rg-x', 'rsv-legacy'),
    });
    const tagOnly = resolveExistingVaultsScenario({
      discovery: { subscriptionIds: [SUB], tag: { name: 'dr' }, timeZone: 'Etc/UTC' },
      automation,
    });
    expect(tagOnly.automation.schedules[0]!.jobParameters.discoverytag).toBe('dr');
    expect(Object.keys(tagOnly.automation.schedules[0]!.jobParameters)).not.toContain(
      'discoverymanagementgroupid',
    );
  });

  it('runs listed vaults of the same zone in the discovery job, and leaves those of other zones out of it', () => {
    const spec = resolveExistingVaultsScenario({
      vaults: [
        { vaultResourceId: A, timeZone: 'Europe/Amsterdam' },
        { vaultResourceId: B, sourceRegion: 'eastus' },
      ],
      discovery,
      automation,
    });
    const [ny, ams] = spec.automation.schedules;
    expect(ny!.jobParameters).toMatchObject({ vaultresourceids: B });
    expect(Object.keys(ny!.jobParameters).filter((k) => DISCOVERY_PARAMETERS.includes(k))).toEqual([]);
    expect(ams!.jobParameters).toMatchObject({
      vaultresourceids: A,
      excludevaultresourceids: `${vaultId('rg-x', 'rsv-legacy')},${B}`,
    });
  });

  it('fails when a discovery prop breaks its rule, naming each prop, value and rule', () => {
    const v = violationsOf(() =>
      resolveExistingVaultsScenario({
        discovery: {
          subscriptionIds: ['not-a-guid', SUB, SUB.toUpperCase()],
          managementGroupId: 'mg.',
          tag: { name: 'a=b', value: 'x\ny' },
          excludeVaultResourceIds: [`${A} `],
        } as never,
        automation,
      }),
    );
    expect(v.map((x) => [x.prop, x.value])).toEqual([
      ['discovery.subscriptionIds[0]', 'not-a-guid'],
      ['discovery.subscriptionIds[2]', SUB.toUpperCase()],
      ['discovery.managementGroupId', 'mg.'],
      ['discovery.tag.name', 'a=b'],
      ['discovery.tag.value', 'x\ny'],
      ['discovery.excludeVaultResourceIds[0]', `${A} `],
      ['discovery.timeZone', undefined],
    ]);
    expect(v.find((x) => x.prop === 'discovery.timeZone')!.rule).toMatch(/is required with discovery/);
    expect(v.find((x) => x.prop === 'discovery.managementGroupId')!.rule).toMatch(/1-90 characters/);
  });

  it('fails when discovery has no scope, when there is neither a list nor discovery, and when a listed vault is excluded', () => {
    expect(
      violationsOf(() =>
        resolveExistingVaultsScenario({ discovery: { timeZone: 'Etc/UTC' }, automation }),
      ).map((x) => [x.prop, x.rule]),
    ).toEqual([['discovery', 'needs a scope: subscriptionIds, managementGroupId, or both']]);
    expect(violationsOf(() => resolveExistingVaultsScenario({ automation })).map((x) => x.prop)).toEqual([
      'vaults',
    ]);
    expect(
      violationsOf(() =>
        resolveExistingVaultsScenario({
          vaults: [{ vaultResourceId: A, timeZone: 'Etc/UTC' }],
          discovery: { ...discovery, excludeVaultResourceIds: [A.toLowerCase()] },
          automation,
        }),
      ).map((x) => [x.prop, x.rule]),
    ).toEqual([
      [
        'discovery.excludeVaultResourceIds[0]',
        'is also listed as vaults[0]: a vault is either listed or excluded',
      ],
    ]);
  });

  it('cdktf: the custom role at the scopes by default (tenant-level role id for the management group) and the job parameters', () => {
    const stack = new TerraformStack(Testing.app(), 'discovery');
    const fleet = new tf.ExistingVaultsMobilityAutoUpdate(stack, 'Fleet', { discovery, automation });
    const doc = JSON.parse(Testing.synth(stack)) as TfJson;
    const custom = fleet.spec.automation.roleDefinition!;
    const [definition, ...more] = resources(doc, 'azurerm_role_definition');
    expect(more).toEqual([]);
    const mg = '/providers/Microsoft.Management/managementGroups/mg-dr_(prod).eu';
    expect(definition).toMatchObject({
      role_definition_id: custom.guid,
      name: custom.roleName,
      scope: `/subscriptions/${SUB}`,
      assignable_scopes: [`/subscriptions/${SUB}`, `/subscriptions/${SUB2}`, mg],
      permissions: [{ actions: [...RUNBOOK_ROLE_ACTIONS], not_actions: [] }],
    });
    const roles = resources(doc, 'azurerm_role_assignment');
    const sorted = roles
      .map((r) => [r.scope, r.role_definition_id, r.depends_on])
      .sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    const dependsOn = [`azurerm_role_definition.${String(fleet.roleDefinition!.friendlyUniqueId)}`];
    expect(sorted).toEqual([
      [mg, `/providers/Microsoft.Authorization/roleDefinitions/${custom.guid}`, dependsOn],
      [
        `/subscriptions/${SUB}`,
        `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${custom.guid}`,
        dependsOn,
      ],
      [
        `/subscriptions/${SUB2}`,
        `/subscriptions/${SUB2}/providers/Microsoft.Authorization/roleDefinitions/${custom.guid}`,
        dependsOn,
      ],
    ]);
    const [job] = resources(doc, 'azurerm_automation_job_schedule');
    expect(Object.keys(job!.parameters as object).sort()).toEqual(
      [
        'autoupdateaction',
        'automationaccountarmid',
        'providers',
        'timeoutseconds',
        ...DISCOVERY_PARAMETERS,
      ].sort(),
    );
    // The warning is reported at synth, not silenced.
    const warnings = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data)));
    expect(warnings.filter((w) => w.startsWith('[ASR-W01] discovery.'))).toHaveLength(3);
  });
});

describe('existing vaults: stable keys and references', () => {
  const fleet = (vaults: ExistingVaultsScenarioProps['vaults']) =>
    resolveExistingVaultsScenario({ vaults, automation });
  const byKey = (spec: ReturnType<typeof fleet>) =>
    Object.fromEntries(
      spec.automation.roleAssignments.map((r) => [
        r.scope.kind === 'existingVault' ? r.scope.key : '',
        r.name,
      ]),
    );
  const jobIds = (spec: ReturnType<typeof fleet>) =>
    Object.fromEntries(spec.automation.schedules.map((s) => [s.timeZone, s.jobScheduleId]));

  it('keeps every other vault role assignment name and every other zone job schedule id when the fleet grows or is reordered', () => {
    const before = fleet([
      { vaultResourceId: A, key: 'a', sourceRegion: 'northeurope' },
      { vaultResourceId: B, sourceRegion: 'eastus' },
    ]);
    const after = fleet([
      { vaultResourceId: C, key: 'c', sourceRegion: 'japaneast' },
      { vaultResourceId: B, sourceRegion: 'eastus' },
      { vaultResourceId: A, key: 'a', sourceRegion: 'northeurope' },
    ]);
    expect(byKey(after)).toEqual(expect.objectContaining(byKey(before)));
    expect(jobIds(after)).toEqual(expect.objectContaining(jobIds(before)));
    expect(Object.keys(byKey(after))).toHaveLength(3);
    // A literal without a key keeps the name it had before keys existed (the id in lower case).
    expect(byKey(before)[B.toLowerCase()]).toBeDefined();
  });

  it('fails when a key breaks its rule or appears twice', () => {
    expect(
      violationsOf(() =>
        fleet([
          { vaultResourceId: A, key: 'ok', timeZone: 'Etc/UTC' },
          { vaultResourceId: B, key: 'OK', timeZone: 'Etc/UTC' },
          { vaultResourceId: C, key: '-bad key', timeZone: 'Etc/UTC' },
        ]),
      ).map((x) => [x.prop, x.value]),
    ).toEqual([
      ['vaults[1].key', 'ok'],
      ['vaults[2].key', '-bad key'],
    ]);
  });

  it('cdktf: a variable as a vault id with a key goes into the scope and the job parameter as its expression', () => {
    const build = (order: 'ab' | 'ba') => {
      const stack = new TerraformStack(Testing.app(), 'refs');
      const dr = new TerraformVariable(stack, 'dr_vault_id', { type: 'string' });
      const vaults = [
        { vaultResourceId: dr.stringValue, key: 'dr-weu', sourceRegion: 'westeurope' },
        { vaultResourceId: A, sourceRegion: 'westeurope' },
      ];
      new tf.ExistingVaultsMobilityAutoUpdate(stack, 'Fleet', {
        vaults: order === 'ab' ? vaults : [...vaults].reverse(),
        automation,
      });
      return JSON.parse(Testing.synth(stack)) as TfJson;
    };
    const doc = build('ab');
    const roles = resources(doc, 'azurerm_role_assignment');
    expect(roles[0]).toMatchObject({
      scope: '${var.dr_vault_id}',
      role_definition_id:
        '/subscriptions/${lower(element(split("/", var.dr_vault_id), 2))}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c',
    });
    const [job] = resources(doc, 'azurerm_automation_job_schedule');
    expect((job!.parameters as Record<string, string>).vaultresourceids).toBe(`\${var.dr_vault_id},${A}`);
    // Reordered: the same role assignments (names and construct ids), the same job schedule id.
    const names = (d: TfJson) => Object.keys(d.resource.azurerm_role_assignment as object).sort();
    expect(names(build('ba'))).toEqual(names(doc));
    expect(resources(build('ba'), 'azurerm_automation_job_schedule')[0]!.job_schedule_id).toBe(
      job!.job_schedule_id,
    );
  });

  it('fails when a vault id is a reference without a key, saying why a key is needed', () => {
    const stack = new TerraformStack(Testing.app(), 'nokey');
    const dr = new TerraformVariable(stack, 'dr_vault_id', { type: 'string' });
    const error = () =>
      new tf.ExistingVaultsMobilityAutoUpdate(stack, 'Fleet', {
        vaults: [{ vaultResourceId: dr.stringValue, sourceRegion: 'westeurope' }],
        automation,
      });
    expect(violationsOf(error).map((v) => v.prop)).toEqual(['vaults[0].key']);
    expect(error).toThrow(
      /vaults\[0\]\.key: received undefined; is required when vaultResourceId is a reference: .*stable key/,
    );
    expect(error).not.toThrow(/TfToken/);
  });

  it('Pulumi: an Output as a vault id with a key reaches the role scope, the role definition and the job parameter', async () => {
    const ref = pulumi.output(B);
    const preview = await runOfflineProgram(
      () =>
        new pl.ExistingVaultsMobilityAutoUpdate('fleet', {
          vaults: [
            { vaultResourceId: A, sourceRegion: 'westeurope' },
            { vaultResourceId: ref, key: 'from-stack', sourceRegion: 'westeurope' },
          ],
          automation,
        }),
      { project: PROJECT_NAME, stack: 'refs' },
    );
    const roles = preview.resources.filter((r) => r.type === 'azure-native:authorization:RoleAssignment');
    expect(roles.map((r) => r.inputs.scope)).toEqual([A, B]);
    expect(roles[1]!.inputs.roleDefinitionId).toBe(
      `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c`,
    );
    const job = preview.resources.find((r) => r.type === 'azure-native:automation:JobSchedule')!;
    expect((job.inputs.parameters as Record<string, string>).vaultresourceids).toBe(`${A},${B}`);
  });

  it('Pulumi: the custom role at the scopes by default, and the role asked for without one', async () => {
    const run = (roleDefinition?: string) =>
      runOfflineProgram(
        () =>
          new pl.ExistingVaultsMobilityAutoUpdate('fleet', {
            discovery,
            automation: { ...automation, ...(roleDefinition ? { roleDefinition } : {}) },
          }),
        { project: PROJECT_NAME, stack: 'custom-role' },
      );
    const custom = resolveExistingVaultsScenario({ discovery, automation }).automation.roleDefinition!;
    const byDefault = await run();
    const definitions = byDefault.resources.filter(
      (r) => r.type === 'azure-native:authorization:RoleDefinition',
    );
    expect(definitions.map((r) => r.inputs)).toEqual([
      {
        roleDefinitionId: custom.guid,
        roleName: custom.roleName,
        roleType: 'CustomRole',
        description: custom.description,
        scope: `/subscriptions/${SUB}`,
        assignableScopes: [...custom.assignableScopes],
        permissions: [
          { actions: [...RUNBOOK_ROLE_ACTIONS], notActions: [], dataActions: [], notDataActions: [] },
        ],
      },
    ]);
    const roleIds = (p: Awaited<ReturnType<typeof run>>) =>
      p.resources
        .filter((r) => r.type === 'azure-native:authorization:RoleAssignment')
        .map((r) => String(r.inputs.roleDefinitionId).split('/').pop());
    expect(roleIds(byDefault)).toEqual([custom.guid, custom.guid, custom.guid]);
    const given = await run('Contributor');
    expect(given.resources.filter((r) => r.type === 'azure-native:authorization:RoleDefinition')).toEqual([]);
    expect(roleIds(given)).toEqual([
      'b24988ac-6180-42a0-ab88-20f7382dd24c',
      'b24988ac-6180-42a0-ab88-20f7382dd24c',
      'b24988ac-6180-42a0-ab88-20f7382dd24c',
    ]);
  });

  it('Pulumi: fails when an Output vault id breaks the rule once known, and when it has no key', () => {
    // The check the guard runs once the Output is known is captured here and run on a value (a
    // failing apply is the failed preview under the Pulumi runtime; under jest, an unhandled rejection).
    const checks: ((known: unknown) => void)[] = [];
    const capturing: DeployTimeValues = {
      isDeployTime: PULUMI_DEPLOY_TIME.isDeployTime,
      whenKnown: (value, check) => {
        checks.push(check);
        return PULUMI_DEPLOY_TIME.whenKnown!(value, () => undefined);
      },
    };
    resolveExistingVaultsScenario<pulumi.Input<string>>(
      { vaults: [{ vaultResourceId: pulumi.output(B), key: 'b', sourceRegion: 'westeurope' }], automation },
      capturing,
    );
    expect(checks).toHaveLength(1);
    expect(() => checks[0]!(`${B} `)).toThrow(
      `Existing vaults scenario: 1 invalid prop:\n  - vaults[0].vaultResourceId: received "${B} "; must be a Microsoft.RecoveryServices/vaults resource id`,
    );
    expect(() => checks[0]!(B)).not.toThrow();
    expect(() =>
      resolveExistingVaultsScenario<pulumi.Input<string>>(
        { vaults: [{ vaultResourceId: pulumi.output(B), sourceRegion: 'westeurope' }], automation },
        PULUMI_DEPLOY_TIME,
      ),
    ).toThrow(/vaults\[0\]\.key: received undefined; is required when vaultResourceId is a reference/);
  });
});
