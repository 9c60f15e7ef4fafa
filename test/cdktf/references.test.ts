import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Testing, TerraformStack } from 'cdktf';
import {
  A2AMobilityAutoUpdate,
  A2AReplication,
  AutoUpdateAutomation,
  RecoveryVault,
  VmwareMobilityAutoUpdate,
  VmwareReplication,
} from '../../constructs/cdktf';
import type { Finding } from '../../constructs/domain';
import {
  AutoUpdateAutomation as PulumiAutoUpdateAutomation,
  RecoveryVault as PulumiRecoveryVault,
} from '../../constructs/pulumi';
import { fixedClock, SUB, violationsOf } from '../fixtures';
import { only, resources, synth, testApp } from './helpers';

/** A platform team's stack: its resource group and workspace, created in the same program. */
function teamStack() {
  const stack = new TerraformStack(testApp(), 'team');
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  const rg = new ResourceGroup(stack, 'rg', { name: 'rg-team-dr', location: 'westeurope' });
  const law = new LogAnalyticsWorkspace(stack, 'law', {
    name: 'law-team',
    resourceGroupName: rg.name,
    location: rg.location,
  });
  return { stack, rg, law };
}

const RG_REF = '${azurerm_resource_group.rg.name}';
const LAW_REF = '${azurerm_log_analytics_workspace.law.id}';

describe('reference-valued props (Terraform tokens)', () => {
  it('synthesizes the A2A scenario with rg.name and law.id, carried through as Terraform references', () => {
    const { stack, rg, law } = teamStack();
    new A2AMobilityAutoUpdate(stack, 'dr', {
      vault: {
        name: 'rsv-team-dr',
        resourceGroupName: rg.name,
        location: 'westeurope',
        diagnosticSettings: [{ workspaceResourceId: law.id }],
      },
      replication: { sourceRegion: 'northeurope', targetRegion: 'westeurope' },
      automation: { clock: fixedClock, diagnosticSettings: [{ workspaceResourceId: law.id }] },
    });
    const doc = synth(stack);
    expect(only(doc, 'azurerm_recovery_services_vault').resource_group_name).toBe(RG_REF);
    // Every resource of ours placed in a group is placed in that one.
    const placed = Object.entries(doc.resource)
      .filter(([type]) => type !== 'azurerm_resource_group' && type !== 'azurerm_log_analytics_workspace')
      .flatMap(([, byId]) => Object.values(byId))
      .filter((r) => 'resource_group_name' in r);
    expect(placed.length).toBeGreaterThan(8);
    for (const r of placed) expect(r.resource_group_name).toBe(RG_REF);
    const diagnostics = resources(doc, 'azurerm_monitor_diagnostic_setting');
    expect(diagnostics).toHaveLength(2);
    for (const d of diagnostics) expect(d.log_analytics_workspace_id).toBe(LAW_REF);
    const text = Testing.synth(stack);
    expect(text).not.toMatch(/TfToken|Calling \[toJSON\]/);
  });

  it('keeps deterministic names when the group is a reference', () => {
    const names = () => {
      const { stack, rg } = teamStack();
      new A2AMobilityAutoUpdate(stack, 'dr', {
        vault: { name: 'rsv-team-dr', resourceGroupName: rg.name, location: 'westeurope' },
        replication: { sourceRegion: 'northeurope', targetRegion: 'westeurope' },
        automation: { clock: fixedClock },
      });
      return Testing.synth(stack);
    };
    expect(names()).toBe(names());
  });

  it('fails when a bad literal sits next to a reference, naming the prop and never showing token text', () => {
    const { stack, rg, law } = teamStack();
    const error = () =>
      new A2AMobilityAutoUpdate(stack, 'dr', {
        vault: {
          name: 'rsv-team-dr',
          resourceGroupName: rg.name,
          location: 'westeurope',
          diagnosticSettings: [{ workspaceResourceId: law.id, storageAccountResourceId: 'not-an-id' }],
        },
        replication: { sourceRegion: 'northeurope', targetRegion: 'westeurope' },
        automation: { clock: fixedClock, resourceGroupName: 'bad name.' },
      });
    const violations = violationsOf(error);
    expect(violations.map((v) => v.prop)).toEqual([
      'vault.diagnosticSettings[0].storageAccountResourceId',
      'automation.resourceGroupName',
    ]);
    expect(error).toThrow(/storageAccountResourceId: received "not-an-id"; must be a Microsoft.Storage/);
    expect(() => error()).not.toThrow(/TfToken/);
  });

  it('fails when a reference is given where a literal is required, naming the prop and the reason', () => {
    const { stack, rg } = teamStack();
    const error = () =>
      new A2AMobilityAutoUpdate(stack, 'dr', {
        vault: { name: rg.name, resourceGroupName: rg.name, location: rg.location },
        replication: { sourceRegion: rg.location, targetRegion: 'westeurope' },
        automation: { clock: fixedClock, additionalRoleScopes: [rg.id] },
      });
    const violations = violationsOf(error);
    expect(violations.map((v) => v.prop)).toEqual([
      'vault.name',
      'vault.location',
      'replication.sourceRegion',
      // The scenario's schedule follows the replication's source region (as with a bad literal).
      'automation.sourceRegion',
      'automation.additionalRoleScopes[0]',
    ]);
    for (const v of violations)
      expect(v.rule).toMatch(/^must be a literal known at synthesis, not a reference: /);
    expect(error).toThrow(
      /vault\.location: received a reference \(known only at deploy\); must be a literal known at synthesis, not a reference: regions choose the schedule's time zone/,
    );
    expect(error).toThrow(/vault\.name: .*other names derive from the vault name/);
    expect(() => error()).not.toThrow(/TfToken/);
  });

  it('fails when an existing vault is given by a reference: its name and group are read from the id', () => {
    const { stack, rg } = teamStack();
    const error = () =>
      RecoveryVault.fromVaultId(
        stack,
        'Existing',
        `${rg.id}/providers/Microsoft.RecoveryServices/vaults/rsv`,
        {
          sourceRegion: 'westeurope',
        },
      );
    expect(violationsOf(error).map((v) => v.prop)).toEqual(['vaultResourceId']);
    expect(error).toThrow(
      /vaultResourceId: received a reference \(known only at deploy\); must be a literal known at synthesis, not a reference: the vault's name and resource group/,
    );
    expect(error).not.toThrow(/TfToken/);
  });

  it('accepts references in building blocks: existing account, networks, action groups', () => {
    const { stack, rg } = teamStack();
    const vault = new RecoveryVault(stack, 'Vault', {
      name: 'rsv-team',
      resourceGroupName: rg.name,
      location: 'swedencentral',
    });
    const automation = new AutoUpdateAutomation(stack, 'Updates', {
      vault,
      sourceRegion: 'germanywestcentral',
      clock: fixedClock,
      alerts: { actionGroupIds: [`${rg.id}/providers/Microsoft.Insights/actionGroups/ag`] },
    });
    new A2AReplication(stack, 'Dr', {
      vault,
      automation,
      sourceRegion: 'germanywestcentral',
      targetRegion: 'swedencentral',
      sourceNetworkResourceId: `${rg.id}/providers/Microsoft.Network/virtualNetworks/vnet-src`,
      targetNetworkResourceId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-dst`,
    });
    const doc = synth(stack);
    const [toTarget] = resources(doc, 'azurerm_site_recovery_network_mapping');
    expect(toTarget!.source_network_id).toBe(
      '${azurerm_resource_group.rg.id}/providers/Microsoft.Network/virtualNetworks/vnet-src',
    );
    expect(only(doc, 'azurerm_monitor_metric_alert').action).toEqual([
      { action_group_id: '${azurerm_resource_group.rg.id}/providers/Microsoft.Insights/actionGroups/ag' },
    ]);
  });
});

/** What a finding says, wherever it was reported. */
const said = (f: Finding) => ({ ruleId: f.ruleId, level: f.level, value: f.value, message: f.message });

describe('policy checks in the building blocks', () => {
  const risky = {
    roleDefinition: 'Owner',
    publicNetworkAccessEnabled: true,
    additionalRoleScopes: [`/subscriptions/${SUB}/resourceGroups/rg-team`],
    runtime: { version: '7.4' as const },
  };

  it('reports the same warnings by hand as the scenario, each once', () => {
    const scenarioStack = teamStack();
    const scenario = new A2AMobilityAutoUpdate(scenarioStack.stack, 'dr', {
      vault: { name: 'rsv-team', resourceGroupName: 'rg-team', location: 'swedencentral' },
      replication: { sourceRegion: 'germanywestcentral', targetRegion: 'swedencentral' },
      automation: { clock: fixedClock, ...risky },
    });
    const { stack } = teamStack();
    const vault = new RecoveryVault(stack, 'Vault', {
      name: 'rsv-team',
      resourceGroupName: 'rg-team',
      location: 'swedencentral',
    });
    const automation = new AutoUpdateAutomation(stack, 'Updates', {
      vault,
      sourceRegion: 'germanywestcentral',
      clock: fixedClock,
      ...risky,
    });
    const replication = new A2AReplication(stack, 'Dr', {
      vault,
      automation,
      sourceRegion: 'germanywestcentral',
      targetRegion: 'swedencentral',
    });
    const byHand = [...vault.warnings, ...automation.warnings, ...replication.warnings];
    expect(scenario.spec.warnings.map((f) => f.ruleId)).toEqual(['ASR-W01', 'ASR-W02', 'ASR-W03', 'ASR-W06']);
    expect(byHand.map(said)).toEqual(scenario.spec.warnings.map(said));
    // The scenario's blocks do not report again.
    expect(scenario.automation!.warnings).toEqual([]);
    // Reported once each as annotations, like the scenario's.
    const warningsIn = (s: TerraformStack) =>
      s.node
        .findAll()
        .flatMap((c) => c.node.metadata)
        .filter((m) => m.type === 'warning')
        .map((m) => String(m.data).replace(/\] \S+: /, '] '));
    expect(warningsIn(stack).sort()).toEqual(warningsIn(scenarioStack.stack).sort());
  });

  it('honours suppressions in a building block', () => {
    const { stack } = teamStack();
    const vault = new RecoveryVault(stack, 'Vault', {
      name: 'rsv-team',
      resourceGroupName: 'rg-team',
      location: 'swedencentral',
    });
    const automation = new AutoUpdateAutomation(stack, 'Updates', {
      vault,
      sourceRegion: 'germanywestcentral',
      clock: fixedClock,
      publicNetworkAccessEnabled: true,
      suppressions: [{ ruleId: 'ASR-W03', reason: 'a hybrid worker reaches the account over the internet' }],
    });
    expect(automation.warnings.map((w) => w.ruleId)).toEqual([]);
  });

  it('fails with ASR-E01 by hand as in the scenario (VMware behind private endpoints)', () => {
    const vaultProps = {
      name: 'rsv-vmware',
      resourceGroupName: 'rg-team',
      location: 'westeurope',
      publicNetworkAccessEnabled: false,
    };
    const scenario = violationsOf(
      () =>
        new VmwareMobilityAutoUpdate(teamStack().stack, 'vm', {
          vault: vaultProps,
          automation: { clock: fixedClock },
        }),
    );
    const { stack } = teamStack();
    const vault = new RecoveryVault(stack, 'Vault', vaultProps);
    const byHand = violationsOf(() => new VmwareReplication(stack, 'Replication', { vault }));
    expect(scenario.map((v) => v.rule)).toEqual(byHand.map((v) => v.rule));
    expect(byHand[0]).toMatchObject({ prop: 'vault.publicNetworkAccessEnabled' });
    expect(byHand[0]!.rule).toMatch(/^ASR-E01: /);
  });

  it('fails when a spec object is passed instead of props (no back door)', () => {
    const { stack } = teamStack();
    const scenario = new A2AMobilityAutoUpdate(teamStack().stack, 'dr', {
      vault: { name: 'rsv-team', resourceGroupName: 'rg-team', location: 'swedencentral' },
      replication: { sourceRegion: 'germanywestcentral', targetRegion: 'swedencentral' },
      automation: { clock: fixedClock },
    });
    const backDoor = { spec: scenario.spec.vault } as unknown as ConstructorParameters<
      typeof RecoveryVault
    >[2];
    expect(violationsOf(() => new RecoveryVault(stack, 'Vault', backDoor)).map((v) => v.prop)).toContain(
      'spec',
    );
  });
});

describe('references to blocks of another engine or flavour', () => {
  // The domain knows a vault or an automation by the brand of the engine that made it, never by
  // the adapter's classes; a block of any other engine or flavour is refused, as instanceof would.
  const WEU_VAULT = `/subscriptions/${SUB}/resourceGroups/rg-dr/providers/Microsoft.RecoveryServices/vaults/rsv-weu`;
  const VAULT_RULE =
    'must be the RecoveryVault construct this block belongs to, or an existing vault from RecoveryVault.fromVaultId';
  const vaultProps = { name: 'rsv-team', resourceGroupName: 'rg-team', location: 'swedencentral' };

  /** This adapter's modules loaded a second time, as the other flavour's compiled copy is. */
  function adapterLoadedAgain(): {
    adapter: typeof import('../../constructs/cdktf');
    cdk: typeof import('cdktf');
  } {
    let loaded: ReturnType<typeof adapterLoadedAgain> | undefined;
    jest.isolateModules(() => {
      loaded = {
        adapter: jest.requireActual<typeof import('../../constructs/cdktf')>('../../constructs/cdktf'),
        cdk: jest.requireActual<typeof import('cdktf')>('cdktf'),
      };
    });
    return loaded!;
  }

  it('accepts a subclass of its own vault and automation, as instanceof did', () => {
    class TeamVault extends RecoveryVault {}
    class TeamAutomation extends AutoUpdateAutomation {}
    const { stack } = teamStack();
    const vault = new TeamVault(stack, 'Vault', vaultProps);
    const automation = new TeamAutomation(stack, 'Updates', {
      vault,
      sourceRegion: 'germanywestcentral',
      clock: fixedClock,
    });
    const replication = new A2AReplication(stack, 'Dr', {
      vault,
      automation,
      sourceRegion: 'germanywestcentral',
      targetRegion: 'swedencentral',
    });
    expect(replication.spec.mappings[0]!.autoUpdate).toMatchObject({
      enabled: true,
      automationAccount: { kind: 'managed' },
    });
  });

  it("fails when a block gets Pulumi's existing vault, naming the prop and the rule", () => {
    const { stack } = teamStack();
    const foreign = PulumiRecoveryVault.fromVaultId(WEU_VAULT, { sourceRegion: 'northeurope' });
    expect(
      violationsOf(
        () =>
          new AutoUpdateAutomation(stack, 'Updates', {
            vault: foreign as never,
            sourceRegion: 'northeurope',
            clock: fixedClock,
          }),
      ).map((v) => [v.prop, v.rule]),
    ).toEqual([['vault', VAULT_RULE]]);
    expect(
      violationsOf(() => new VmwareReplication(stack, 'Vmware', { vault: foreign as never })).map((v) => [
        v.prop,
        v.rule,
      ]),
    ).toEqual([['vault', 'must be the RecoveryVault construct this block belongs to']]);
    expect(stack.node.tryFindChild('Updates')).toBeUndefined();
  });

  it("fails when a Pulumi component gets this engine's vault, in Pulumi's words", () => {
    const { stack } = teamStack();
    const vault = RecoveryVault.fromVaultId(stack, 'Vault', WEU_VAULT, { sourceRegion: 'northeurope' });
    expect(
      violationsOf(
        () =>
          new PulumiAutoUpdateAutomation('updates', {
            vault: vault as never,
            sourceRegion: 'northeurope',
            clock: fixedClock,
          }),
      ).map((v) => [v.prop, v.rule]),
    ).toEqual([
      [
        'vault',
        'must be the RecoveryVault component this one belongs to, or an existing vault from RecoveryVault.fromVaultId',
      ],
    ]);
  });

  it('fails when a block gets a vault or automation of the adapter loaded again (the other flavour)', () => {
    const other = adapterLoadedAgain();
    const otherStack = new other.cdk.TerraformStack(other.cdk.Testing.app(), 'other');
    const otherVault = new other.adapter.RecoveryVault(otherStack, 'Vault', vaultProps);
    const otherExisting = other.adapter.RecoveryVault.fromVaultId(otherStack, 'Existing', WEU_VAULT, {
      sourceRegion: 'northeurope',
    });
    const otherAutomation = new other.adapter.AutoUpdateAutomation(otherStack, 'Updates', {
      vault: otherVault,
      sourceRegion: 'germanywestcentral',
      clock: fixedClock,
    });
    const { stack } = teamStack();
    for (const vault of [otherVault, otherExisting]) {
      expect(
        violationsOf(
          () =>
            new AutoUpdateAutomation(stack, 'Updates', {
              vault: vault as never,
              sourceRegion: 'northeurope',
              clock: fixedClock,
            }),
        ).map((v) => [v.prop, v.rule]),
      ).toEqual([['vault', VAULT_RULE]]);
    }
    const vault = new RecoveryVault(stack, 'Vault', vaultProps);
    expect(
      violationsOf(
        () =>
          new A2AReplication(stack, 'Dr', {
            vault,
            automation: otherAutomation as never,
            sourceRegion: 'germanywestcentral',
            targetRegion: 'swedencentral',
          }),
      ).map((v) => [v.prop, v.rule]),
    ).toContainEqual([
      'automation',
      'must be the AutoUpdateAutomation construct whose account the mappings use',
    ]);
    // The copy's blocks still work with each other.
    expect(
      new other.adapter.A2AReplication(otherStack, 'Dr', {
        vault: otherVault,
        automation: otherAutomation,
        sourceRegion: 'germanywestcentral',
        targetRegion: 'swedencentral',
      }).spec.mappings[0]!.autoUpdate,
    ).toMatchObject({ enabled: true, automationAccount: { kind: 'managed' } });
  });
});
