import {
  resolveAutoUpdateAutomation,
  type AutoUpdateAutomationProps,
  type AutoUpdateAutomationSpec,
} from './automation';
import { runPolicyChecks, type Finding, type Suppression } from './checks';
import {
  autoUpdateTargetFor,
  resolveA2AReplication,
  resolveVmwareReplication,
  type A2AReplicationProps,
  type A2AReplicationSpec,
  type VmwareReplicationProps,
  type VmwareEngineRequirements,
  type VmwareReplicationSpec,
} from './replication';
import { RuleSet } from './rules';
import { resolveRecoveryVault, type RecoveryVaultProps, type RecoveryVaultSpec } from './vault';

/** Automation settings inside a scenario: the scenario supplies the providers and the source region. */
export type ScenarioAutomationProps = Omit<
  AutoUpdateAutomationProps,
  'providers' | 'sourceRegion' | 'autoUpdateAction'
> & {
  /**
   * The region whose midnight the schedule follows.
   * @default A2A: `replication.sourceRegion`; VMware: the vault's location
   */
  readonly sourceRegion?: string;
};

/** Azure-to-Azure: a vault in the target region, replication both ways, and auto-update. */
export interface A2AScenarioProps {
  readonly vault: RecoveryVaultProps;
  readonly replication: A2AReplicationProps;
  /**
   * @default the library's automation account with every default
   */
  readonly automation?: ScenarioAutomationProps;
  /**
   * Reasoned exceptions to warning rules.
   * @default none
   */
  readonly suppressions?: readonly Suppression[];
}

/** VMware (modernized appliance): a vault, an InMageRcm policy and its association, and the enforcing runbook. */
export interface VmwareScenarioProps {
  readonly vault: RecoveryVaultProps;
  /**
   * @default the policy with every default
   */
  readonly replication?: VmwareReplicationProps;
  /**
   * @default the library's automation account with every default
   */
  readonly automation?: ScenarioAutomationProps;
  /**
   * Reasoned exceptions to warning rules.
   * @default none
   */
  readonly suppressions?: readonly Suppression[];
}

export interface A2AScenarioSpec {
  readonly scenario: 'a2a';
  readonly vault: RecoveryVaultSpec;
  /** Absent when auto-update is off, or when an existing automation account is used. */
  readonly automation?: AutoUpdateAutomationSpec;
  readonly replication: A2AReplicationSpec;
  readonly warnings: readonly Finding[];
}

export interface VmwareScenarioSpec {
  readonly scenario: 'vmware';
  readonly vault: RecoveryVaultSpec;
  /** Absent only when manual agent upgrades were accepted behind private endpoints. */
  readonly automation?: AutoUpdateAutomationSpec;
  readonly replication: VmwareReplicationSpec;
  readonly warnings: readonly Finding[];
}

export type ScenarioSpec = A2AScenarioSpec | VmwareScenarioSpec;

/** Validates an A2A scenario. Throws one `ValidationError` listing every violated rule. */
export function resolveA2AScenario(props: A2AScenarioProps): A2AScenarioSpec {
  const rules = new RuleSet();
  rules.knownKeys('', props, ['vault', 'replication', 'automation', 'suppressions']);
  const vault = resolveRecoveryVault(rules.child('vault'), props.vault ?? ({} as RecoveryVaultProps));
  const replicationProps = props.replication ?? ({} as A2AReplicationProps);
  const ext = vault.extensionUpdateSettings;
  // The scenario creates the managed account whenever it is needed.
  const autoUpdate = autoUpdateTargetFor(rules, vault, true);
  const replication = resolveA2AReplication(rules.child('replication'), replicationProps, vault, autoUpdate);
  // A2A mappings carry the setting themselves; the library's account exists only to run the updates.
  const needsAutomation = ext.autoUpdateEnabled && !ext.automationAccountResourceId;
  // The clock is not a setting of the account, so stacks may always pass it.
  const automationSettings = Object.entries(props.automation ?? {})
    .filter(([k, v]) => k !== 'clock' && v !== undefined)
    .map(([k]) => k);
  rules.check(
    !(ext.automationAccountResourceId && automationSettings.length > 0),
    'automation',
    automationSettings,
    'must be omitted when vault.extensionUpdateSettings.automationAccountResourceId names an existing account (the library then creates no automation resources)',
  );
  const automation = needsAutomation
    ? resolveAutoUpdateAutomation(
        rules.child('automation'),
        {
          ...(props.automation ?? {}),
          sourceRegion: props.automation?.sourceRegion ?? replicationProps.sourceRegion,
          providers: ['A2A'],
          autoUpdateAction: 'Enabled',
        },
        vault,
      )
    : undefined;
  const warnings = runPolicyChecks(rules, { scenario: 'a2a', vault, automation }, props.suppressions);
  rules.throwIfAny('A2A scenario');
  return { scenario: 'a2a', vault, automation, replication, warnings };
}

/** Validates a VMware scenario. Throws one `ValidationError` listing every violated rule. */
export function resolveVmwareScenario(
  props: VmwareScenarioProps,
  engine: VmwareEngineRequirements = {},
): VmwareScenarioSpec {
  const rules = new RuleSet();
  rules.knownKeys('', props, ['vault', 'replication', 'automation', 'suppressions']);
  const vault = resolveRecoveryVault(rules.child('vault'), props.vault ?? ({} as RecoveryVaultProps), {
    classicVmwareReplicationEnabled: false,
  });
  const ext = vault.extensionUpdateSettings;
  rules.check(
    ext.automationAccountResourceId === undefined,
    'vault.extensionUpdateSettings.automationAccountResourceId',
    ext.automationAccountResourceId,
    'is only for A2A: VMware agent auto-upgrade is enforced by the runbook in the account this library creates',
  );
  const replication = resolveVmwareReplication(rules.child('replication'), props.replication ?? {}, engine);
  const manual = !vault.publicNetworkAccessEnabled && replication.acceptManualAgentUpgrades;
  const automation = manual
    ? undefined
    : resolveAutoUpdateAutomation(
        rules.child('automation'),
        {
          ...(props.automation ?? {}),
          sourceRegion: props.automation?.sourceRegion ?? vault.location,
          providers: ['InMageRcm'],
          autoUpdateAction: ext.autoUpdateEnabled ? 'Enabled' : 'Disabled',
        },
        vault,
      );
  const warnings = runPolicyChecks(
    rules,
    { scenario: 'vmware', vault, automation, vmware: replication },
    props.suppressions,
  );
  rules.throwIfAny('VMware scenario');
  return { scenario: 'vmware', vault, automation, replication, warnings };
}
