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
import { isPlainObject, RuleSet, type UncheckedProps } from './rules';
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

const SCENARIO_PROP_NAMES = ['vault', 'replication', 'automation', 'suppressions'] as const;

/**
 * The automation props of a scenario, or undefined when absent; a value that is not an object is
 * reported and then treated as absent.
 */
function scenarioAutomation(rules: RuleSet, value: unknown): UncheckedProps | undefined {
  if (value === undefined) return undefined;
  return rules.check(isPlainObject(value), 'automation', value, 'must be an object of props')
    ? (value as UncheckedProps)
    : undefined;
}

/** Validates an A2A scenario. Throws one `ValidationError` listing every violated rule. */
export function resolveA2AScenario(props: A2AScenarioProps): A2AScenarioSpec {
  const rules = new RuleSet();
  const p = rules.props(props, SCENARIO_PROP_NAMES);
  const vault = resolveRecoveryVault(rules.child('vault'), p.vault as RecoveryVaultProps);
  const replicationProps = isPlainObject(p.replication) ? p.replication : {};
  const ext = vault.extensionUpdateSettings;
  // The scenario creates the managed account whenever it is needed.
  const autoUpdate = autoUpdateTargetFor(rules, vault, true);
  const replication = resolveA2AReplication(
    rules.child('replication'),
    p.replication as A2AReplicationProps,
    vault,
    autoUpdate,
  );
  // A2A mappings carry the setting themselves; the library's account exists only to run the updates.
  const needsAutomation = ext.autoUpdateEnabled && !ext.automationAccountResourceId;
  const automationProps = scenarioAutomation(rules, p.automation);
  // The clock is not a setting of the account, so stacks may always pass it.
  const automationSettings = Object.keys(automationProps ?? {}).filter(
    (k) => k !== 'clock' && automationProps![k] !== undefined,
  );
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
          ...automationProps,
          sourceRegion: automationProps?.sourceRegion ?? replicationProps.sourceRegion,
          providers: ['A2A'],
          autoUpdateAction: 'Enabled',
        } as unknown as AutoUpdateAutomationProps,
        vault,
      )
    : undefined;
  const warnings = runPolicyChecks(
    rules,
    { scenario: 'a2a', vault, automation },
    p.suppressions as readonly Suppression[] | undefined,
  );
  rules.throwIfAny('A2A scenario');
  return { scenario: 'a2a', vault, automation, replication, warnings };
}

/** Validates a VMware scenario. Throws one `ValidationError` listing every violated rule. */
export function resolveVmwareScenario(
  props: VmwareScenarioProps,
  engine: VmwareEngineRequirements = {},
): VmwareScenarioSpec {
  const rules = new RuleSet();
  const p = rules.props(props, SCENARIO_PROP_NAMES);
  const vault = resolveRecoveryVault(rules.child('vault'), p.vault as RecoveryVaultProps, {
    classicVmwareReplicationEnabled: false,
  });
  const ext = vault.extensionUpdateSettings;
  const vaultExt = isPlainObject(p.vault) ? p.vault.extensionUpdateSettings : undefined;
  const givenAccount = isPlainObject(vaultExt) ? vaultExt.automationAccountResourceId : undefined;
  rules.check(
    givenAccount === undefined,
    'vault.extensionUpdateSettings.automationAccountResourceId',
    givenAccount,
    'is only for A2A: VMware agent auto-upgrade is enforced by the runbook in the account this library creates',
  );
  const replication = resolveVmwareReplication(
    rules.child('replication'),
    (p.replication ?? {}) as VmwareReplicationProps,
    engine,
  );
  const manual = !vault.publicNetworkAccessEnabled && replication.acceptManualAgentUpgrades;
  const automationProps = scenarioAutomation(rules, p.automation);
  const automation = manual
    ? undefined
    : resolveAutoUpdateAutomation(
        rules.child('automation'),
        {
          ...automationProps,
          sourceRegion: automationProps?.sourceRegion ?? vault.location,
          providers: ['InMageRcm'],
          autoUpdateAction: ext.autoUpdateEnabled ? 'Enabled' : 'Disabled',
        } as unknown as AutoUpdateAutomationProps,
        vault,
      );
  const warnings = runPolicyChecks(
    rules,
    { scenario: 'vmware', vault, automation, vmware: replication },
    p.suppressions as readonly Suppression[] | undefined,
  );
  rules.throwIfAny('VMware scenario');
  return { scenario: 'vmware', vault, automation, replication, warnings };
}
