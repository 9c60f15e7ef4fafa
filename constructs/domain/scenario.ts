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
import { isPlainObject, LITERALS_ONLY, RuleSet, type DeployTimeValues, type UncheckedProps } from './rules';
import { resolveRecoveryVault, type RecoveryVaultProps, type RecoveryVaultSpec } from './vault';

/** Automation settings inside a scenario: the scenario supplies the providers and the source region. */
export type ScenarioAutomationProps<R = never> = Omit<
  AutoUpdateAutomationProps<R>,
  'providers' | 'sourceRegion' | 'autoUpdateAction'
> & {
  /**
   * The region whose midnight the schedule follows. A literal (it chooses the time zone).
   * @default A2A: `replication.sourceRegion`; VMware: the vault's location
   */
  readonly sourceRegion?: string;
};

/** Azure-to-Azure: a vault in the target region, replication both ways, and auto-update. */
export interface A2AScenarioProps<R = never> {
  readonly vault: RecoveryVaultProps<R>;
  readonly replication: A2AReplicationProps<R>;
  /**
   * @default the library's automation account with every default
   */
  readonly automation?: ScenarioAutomationProps<R>;
  /**
   * Reasoned exceptions to warning rules.
   * @default none
   */
  readonly suppressions?: readonly Suppression[];
}

/** VMware (modernized appliance): a vault, an InMageRcm policy and its association, and the enforcing runbook. */
export interface VmwareScenarioProps<R = never> {
  readonly vault: RecoveryVaultProps<R>;
  /**
   * @default the policy with every default
   */
  readonly replication?: VmwareReplicationProps;
  /**
   * @default the library's automation account with every default
   */
  readonly automation?: ScenarioAutomationProps<R>;
  /**
   * Reasoned exceptions to warning rules.
   * @default none
   */
  readonly suppressions?: readonly Suppression[];
}

export interface A2AScenarioSpec<R = never> {
  readonly scenario: 'a2a';
  readonly vault: RecoveryVaultSpec<R>;
  /** Absent when auto-update is off, or when an existing automation account is used. */
  readonly automation?: AutoUpdateAutomationSpec<R>;
  readonly replication: A2AReplicationSpec<R>;
  readonly warnings: readonly Finding[];
}

export interface VmwareScenarioSpec<R = never> {
  readonly scenario: 'vmware';
  readonly vault: RecoveryVaultSpec<R>;
  /** Absent only when manual agent upgrades were accepted behind private endpoints. */
  readonly automation?: AutoUpdateAutomationSpec<R>;
  readonly replication: VmwareReplicationSpec;
  readonly warnings: readonly Finding[];
}

export type ScenarioSpec<R = never> = A2AScenarioSpec<R> | VmwareScenarioSpec<R>;

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

/**
 * Validates an A2A scenario. Throws one `ValidationError` listing every violated rule. `deployTime`
 * tells which values are engine references (the adapter's predicate); their value checks are skipped.
 */
export function resolveA2AScenario<R = never>(
  props: A2AScenarioProps<R>,
  deployTime: DeployTimeValues = LITERALS_ONLY,
): A2AScenarioSpec<R> {
  const rules = RuleSet.for('A2A scenario', deployTime);
  const p = rules.props(props, SCENARIO_PROP_NAMES);
  const vault = resolveRecoveryVault<R>(rules.child('vault'), p.vault as RecoveryVaultProps<R>);
  const replicationProps = isPlainObject(p.replication) ? p.replication : {};
  const ext = vault.extensionUpdateSettings;
  // The scenario creates the managed account whenever it is needed.
  const autoUpdate = autoUpdateTargetFor(rules, vault, true);
  const replication = resolveA2AReplication<R>(
    rules.child('replication'),
    p.replication as A2AReplicationProps<R>,
    vault,
    autoUpdate,
  );
  // A2A mappings carry the setting themselves; the library's account exists only to run the updates.
  const hasExisting = ext.automationAccountResourceId !== undefined && ext.automationAccountResourceId !== '';
  const needsAutomation = ext.autoUpdateEnabled && !hasExisting;
  const automationProps = scenarioAutomation(rules, p.automation);
  // The clock is not a setting of the account, so stacks may always pass it.
  const automationSettings = Object.keys(automationProps ?? {}).filter(
    (k) => k !== 'clock' && automationProps![k] !== undefined,
  );
  rules.check(
    !(hasExisting && automationSettings.length > 0),
    'automation',
    automationSettings,
    'must be omitted when vault.extensionUpdateSettings.automationAccountResourceId names an existing account (the library then creates no automation resources)',
  );
  const automation = needsAutomation
    ? resolveAutoUpdateAutomation<R>(
        rules.child('automation'),
        {
          ...automationProps,
          sourceRegion: automationProps?.sourceRegion ?? replicationProps.sourceRegion,
          providers: ['A2A'],
          autoUpdateAction: 'Enabled',
        } as unknown as AutoUpdateAutomationProps<R>,
        vault,
      )
    : undefined;
  const warnings = runPolicyChecks(
    rules,
    { vault, automation, a2a: replication },
    p.suppressions as readonly Suppression[] | undefined,
  );
  rules.throwIfAny('A2A scenario');
  return { scenario: 'a2a', vault, automation, replication, warnings };
}

/** Validates a VMware scenario. Throws one `ValidationError` listing every violated rule. */
export function resolveVmwareScenario<R = never>(
  props: VmwareScenarioProps<R>,
  engine: VmwareEngineRequirements = {},
  deployTime: DeployTimeValues = LITERALS_ONLY,
): VmwareScenarioSpec<R> {
  const rules = RuleSet.for('VMware scenario', deployTime);
  const p = rules.props(props, SCENARIO_PROP_NAMES);
  const vault = resolveRecoveryVault<R>(rules.child('vault'), p.vault as RecoveryVaultProps<R>, {
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
    : resolveAutoUpdateAutomation<R>(
        rules.child('automation'),
        {
          ...automationProps,
          sourceRegion: automationProps?.sourceRegion ?? vault.location,
          providers: ['InMageRcm'],
          autoUpdateAction: ext.autoUpdateEnabled ? 'Enabled' : 'Disabled',
        } as unknown as AutoUpdateAutomationProps<R>,
        vault,
      );
  const warnings = runPolicyChecks(
    rules,
    { vault, automation, vmware: replication },
    p.suppressions as readonly Suppression[] | undefined,
  );
  rules.throwIfAny('VMware scenario');
  return { scenario: 'vmware', vault, automation, replication, warnings };
}
