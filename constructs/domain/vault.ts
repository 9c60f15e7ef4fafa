import { checkName, checkResourceId, RESOURCE_GROUP_NAME, VAULT_NAME } from './naming';
import { normalizeRegion, regionInfo } from './regions';
import { RuleSet } from './rules';
import {
  resolveDiagnosticSettings,
  resolveLock,
  type DiagnosticSettingProps,
  type DiagnosticSettingSpec,
  type LockProps,
  type LockSpec,
  type Tags,
} from './shared';

/** Vault SKU. */
export type VaultSku = 'Standard' | 'RS0';
/** Backup storage redundancy of the vault. */
export type StorageModeType = 'GeoRedundant' | 'LocallyRedundant' | 'ZoneRedundant';
/** Vault immutability. `Locked` cannot be undone. */
export type Immutability = 'Disabled' | 'Unlocked' | 'Locked';

/** The vault's "Allow Site Recovery to manage" extension update settings. */
export interface ExtensionUpdateSettingsProps {
  /**
   * Whether Site Recovery keeps the Mobility-service agents up to date.
   * @default true
   */
  readonly autoUpdateEnabled?: boolean;
  /**
   * An existing automation account to use for A2A updates instead of the one this library creates.
   * The account must have a system-assigned identity with access to the vault; the library then
   * creates no automation resources. Not available for the VMware scenario, whose enforcement
   * runs in the account the library creates.
   * @default the library creates and manages the account
   */
  readonly automationAccountResourceId?: string;
}

/** Site Recovery's built-in Azure Monitor alerts for the vault. */
export interface SiteRecoveryAlertsProps {
  /**
   * Alert on every failed job.
   * @default true
   */
  readonly allJobFailuresEnabled?: boolean;
  /**
   * Alert on failures of critical operations.
   * @default true
   */
  readonly criticalOperationFailuresEnabled?: boolean;
}

/** A Recovery Services vault for Site Recovery. */
export interface RecoveryVaultProps {
  /** Vault name: 2-50 characters, letters, digits and hyphens, starting with a letter. */
  readonly name: string;
  /** The resource group the vault goes in (it must exist). */
  readonly resourceGroupName: string;
  /** The vault's region. For A2A this is the recovery (target) region, never the source region. */
  readonly location: string;
  /**
   * @default 'Standard'
   */
  readonly sku?: VaultSku;
  /**
   * Storage redundancy.
   * @default 'GeoRedundant'
   */
  readonly storageModeType?: StorageModeType;
  /**
   * Cross-region restore; needs `GeoRedundant` storage.
   * @default false
   */
  readonly crossRegionRestoreEnabled?: boolean;
  /**
   * Soft delete.
   * @default true
   */
  readonly softDeleteEnabled?: boolean;
  /**
   * Public network access. Turning it off means private endpoints, and Site Recovery cannot
   * upgrade VMware (modernized) agents automatically behind private endpoints.
   * @default true
   */
  readonly publicNetworkAccessEnabled?: boolean;
  /**
   * Immutability. `Locked` is irreversible, so it is never a default.
   * @default 'Disabled'
   */
  readonly immutability?: Immutability;
  /**
   * A system-assigned identity for the vault.
   * @default true
   */
  readonly systemAssignedIdentityEnabled?: boolean;
  /**
   * Site Recovery's built-in Azure Monitor alerts.
   * @default both alerts on
   */
  readonly alerts?: SiteRecoveryAlertsProps;
  /**
   * "Allow Site Recovery to manage" the Mobility-service extension.
   * @default auto-update on, with the automation account this library creates
   */
  readonly extensionUpdateSettings?: ExtensionUpdateSettingsProps;
  /**
   * @default no tags
   */
  readonly tags?: Tags;
  /**
   * @default no lock
   */
  readonly lock?: LockProps;
  /**
   * @default none
   */
  readonly diagnosticSettings?: readonly DiagnosticSettingProps[];
}

/** A validated vault with every default applied. */
export interface RecoveryVaultSpec {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly sku: VaultSku;
  readonly storageModeType: StorageModeType;
  readonly crossRegionRestoreEnabled: boolean;
  readonly softDeleteEnabled: boolean;
  readonly publicNetworkAccessEnabled: boolean;
  readonly immutability: Immutability;
  readonly systemAssignedIdentityEnabled: boolean;
  /** Set by the VMware scenario to `false` (modernized appliance); not a user prop. */
  readonly classicVmwareReplicationEnabled?: boolean;
  readonly alerts: {
    readonly allJobFailuresEnabled: boolean;
    readonly criticalOperationFailuresEnabled: boolean;
  };
  readonly extensionUpdateSettings: {
    readonly autoUpdateEnabled: boolean;
    readonly automationAccountResourceId?: string;
  };
  readonly tags: Tags;
  readonly lock?: LockSpec;
  readonly diagnosticSettings: readonly DiagnosticSettingSpec[];
}

/** Default values of the vault's optional props, in one typed place. */
export const VAULT_DEFAULTS = Object.freeze({
  sku: 'Standard' as VaultSku,
  storageModeType: 'GeoRedundant' as StorageModeType,
  crossRegionRestoreEnabled: false,
  softDeleteEnabled: true,
  publicNetworkAccessEnabled: true,
  immutability: 'Disabled' as Immutability,
  systemAssignedIdentityEnabled: true,
  allJobFailuresEnabled: true,
  criticalOperationFailuresEnabled: true,
  autoUpdateEnabled: true,
  diagnostics: { logCategories: [] as string[], logCategoryGroups: ['allLogs'] },
});

/** Checks a region name against the region table. */
export function checkRegion(rules: RuleSet, prop: string, value: unknown): boolean {
  return rules.check(
    typeof value === 'string' && regionInfo(value) !== undefined,
    prop,
    value,
    'must be an Azure region name such as westeurope or "West Europe" (the regions this library knows are listed in its exported REGIONS table)',
  );
}

/** Every prop of {@link RecoveryVaultProps}, for the unknown-prop check. */
export const VAULT_PROP_NAMES = [
  'name',
  'resourceGroupName',
  'location',
  'sku',
  'storageModeType',
  'crossRegionRestoreEnabled',
  'softDeleteEnabled',
  'publicNetworkAccessEnabled',
  'immutability',
  'systemAssignedIdentityEnabled',
  'alerts',
  'extensionUpdateSettings',
  'tags',
  'lock',
  'diagnosticSettings',
] as const;

/**
 * Validates vault props. `scenario` carries what a scenario decides rather than the user: the
 * VMware scenario turns classic VMware replication off.
 */
export function resolveRecoveryVault(
  rules: RuleSet,
  props: RecoveryVaultProps,
  scenario: { readonly classicVmwareReplicationEnabled?: boolean } = {},
): RecoveryVaultSpec {
  const d = VAULT_DEFAULTS;
  const p = rules.props(props, VAULT_PROP_NAMES);
  const alerts =
    rules.object('alerts', p.alerts, ['allJobFailuresEnabled', 'criticalOperationFailuresEnabled']) ?? {};
  const ext =
    rules.object('extensionUpdateSettings', p.extensionUpdateSettings, [
      'autoUpdateEnabled',
      'automationAccountResourceId',
    ]) ?? {};
  const name =
    rules.required('name', p.name) &&
    checkName(
      rules,
      'name',
      p.name,
      VAULT_NAME,
      'a vault name has 2-50 characters: letters, digits and hyphens, starting with a letter',
    )
      ? p.name
      : '';
  const resourceGroupName =
    rules.required('resourceGroupName', p.resourceGroupName) &&
    checkName(
      rules,
      'resourceGroupName',
      p.resourceGroupName,
      RESOURCE_GROUP_NAME,
      'a resource group name has 1-90 characters: letters, digits, _ - . ( ), not ending with a period',
    )
      ? p.resourceGroupName
      : '';
  const location = checkRegion(rules, 'location', p.location) ? normalizeRegion(p.location as string) : '';
  const sku = rules.choice('sku', p.sku, ['Standard', 'RS0'] as const) ?? d.sku;
  const storageModeType =
    rules.choice('storageModeType', p.storageModeType, [
      'GeoRedundant',
      'LocallyRedundant',
      'ZoneRedundant',
    ] as const) ?? d.storageModeType;
  const immutability =
    rules.choice('immutability', p.immutability, ['Disabled', 'Unlocked', 'Locked'] as const) ??
    d.immutability;
  const crossRegionRestoreEnabled =
    rules.bool('crossRegionRestoreEnabled', p.crossRegionRestoreEnabled) ?? d.crossRegionRestoreEnabled;
  const softDeleteEnabled = rules.bool('softDeleteEnabled', p.softDeleteEnabled) ?? d.softDeleteEnabled;
  const publicNetworkAccessEnabled =
    rules.bool('publicNetworkAccessEnabled', p.publicNetworkAccessEnabled) ?? d.publicNetworkAccessEnabled;
  const systemAssignedIdentityEnabled =
    rules.bool('systemAssignedIdentityEnabled', p.systemAssignedIdentityEnabled) ??
    d.systemAssignedIdentityEnabled;
  rules.check(
    !crossRegionRestoreEnabled || storageModeType === 'GeoRedundant',
    'crossRegionRestoreEnabled',
    crossRegionRestoreEnabled,
    "cross-region restore needs storageModeType 'GeoRedundant'",
  );
  const automationAccountResourceId = checkResourceId(
    rules,
    'extensionUpdateSettings.automationAccountResourceId',
    ext.automationAccountResourceId,
    'Microsoft.Automation/automationAccounts',
  )
    ? (ext.automationAccountResourceId as string | undefined)
    : undefined;
  return {
    name,
    resourceGroupName,
    location,
    sku,
    storageModeType,
    crossRegionRestoreEnabled,
    softDeleteEnabled,
    publicNetworkAccessEnabled,
    immutability,
    systemAssignedIdentityEnabled,
    classicVmwareReplicationEnabled: scenario.classicVmwareReplicationEnabled,
    alerts: {
      allJobFailuresEnabled:
        rules.bool('alerts.allJobFailuresEnabled', alerts.allJobFailuresEnabled) ?? d.allJobFailuresEnabled,
      criticalOperationFailuresEnabled:
        rules.bool('alerts.criticalOperationFailuresEnabled', alerts.criticalOperationFailuresEnabled) ??
        d.criticalOperationFailuresEnabled,
    },
    extensionUpdateSettings: {
      autoUpdateEnabled:
        rules.bool('extensionUpdateSettings.autoUpdateEnabled', ext.autoUpdateEnabled) ?? d.autoUpdateEnabled,
      automationAccountResourceId,
    },
    tags: rules.tags('tags', p.tags) ? { ...(p.tags ?? {}) } : {},
    lock: resolveLock(rules, p.lock as LockProps | undefined, name),
    diagnosticSettings: resolveDiagnosticSettings(
      rules,
      p.diagnosticSettings as readonly DiagnosticSettingProps[] | undefined,
      name,
      d.diagnostics,
    ),
  };
}

/**
 * A vault with every default and no name, for a building block whose vault reference is missing
 * or wrong: the block still reports its own props, next to the reference.
 */
export function vaultStandIn(): RecoveryVaultSpec {
  return resolveRecoveryVault(new RuleSet(), { name: '', resourceGroupName: '', location: '' });
}
