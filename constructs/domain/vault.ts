import { checkName, checkResourceId, isResourceGroupName, VAULT_NAME } from './naming';
import { normalizeRegion, regionInfo } from './regions';
import { RuleSet, type ResourceRef } from './rules';
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
export interface ExtensionUpdateSettingsProps<R = never> {
  /**
   * Whether Site Recovery keeps the Mobility-service agents up to date.
   * @default true
   */
  readonly autoUpdateEnabled?: boolean;
  /**
   * An existing automation account to use for A2A updates instead of the one this library creates.
   * The account must have a system-assigned identity with access to the vault; the library then
   * creates no automation resources. Not available for the VMware scenario, whose enforcement
   * runs in the account the library creates. A reference (`account.id`) is accepted: a literal is
   * checked now, a reference when it is known (Pulumi) or by Azure at deploy (Terraform).
   * @default the library creates and manages the account
   */
  readonly automationAccountResourceId?: ResourceRef<R>;
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
export interface RecoveryVaultProps<R = never> {
  /**
   * Vault name: 2-50 characters, letters, digits and hyphens, starting with a letter. A literal:
   * a reference is refused, because other names derive from it (the automation account, the runbook
   * storage account, lock and diagnostic setting defaults, role assignment and job schedule ids).
   */
  readonly name: string;
  /**
   * The resource group the vault goes in (it must exist). A literal or a reference (`rg.name`):
   * a literal is checked now, a reference when it is known (Pulumi) or by Azure at deploy
   * (Terraform). With a reference, the deterministic names keyed by the group (runbook storage
   * account, role assignment and job schedule ids) are keyed by the vault and account names alone.
   */
  readonly resourceGroupName: ResourceRef<R>;
  /**
   * The vault's region. For A2A this is the recovery (target) region, never the source region.
   * A literal: a reference is refused, because regions choose the schedule's time zone, the
   * fabric names and the checks that compare regions.
   */
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
  readonly extensionUpdateSettings?: ExtensionUpdateSettingsProps<R>;
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
  readonly diagnosticSettings?: readonly DiagnosticSettingProps<R>[];
}

/** A validated vault with every default applied; references are carried through untouched. */
export interface RecoveryVaultSpec<R = never> {
  readonly name: string;
  readonly resourceGroupName: ResourceRef<R>;
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
    readonly automationAccountResourceId?: ResourceRef<R>;
  };
  readonly tags: Tags;
  readonly lock?: LockSpec;
  readonly diagnosticSettings: readonly DiagnosticSettingSpec<R>[];
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

/** Why a region must be known at synthesis. */
export const REGION_LITERAL =
  "regions choose the schedule's time zone, the fabric, container and mapping names, and the checks that compare regions";

/** Checks a region name against the region table. */
export function checkRegion(rules: RuleSet, prop: string, value: unknown): boolean {
  if (!rules.literal(prop, value, REGION_LITERAL)) return false;
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
export function resolveRecoveryVault<R = never>(
  rules: RuleSet,
  props: RecoveryVaultProps<R>,
  scenario: { readonly classicVmwareReplicationEnabled?: boolean } = {},
): RecoveryVaultSpec<R> {
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
    rules.literal(
      'name',
      p.name,
      'other names derive from the vault name (automation account, runbook storage account, lock and diagnostic settings, role assignment and job schedule ids)',
    ) &&
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
  const resourceGroupName = (
    rules.isDeployTime(p.resourceGroupName) || rules.required('resourceGroupName', p.resourceGroupName)
      ? (rules.ref('resourceGroupName', p.resourceGroupName, checkResourceGroupName) ?? '')
      : ''
  ) as ResourceRef<R>;
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
  const automationAccountResourceId = rules.ref(
    'extensionUpdateSettings.automationAccountResourceId',
    ext.automationAccountResourceId,
    (r, prop, v) => checkResourceId(r, prop, v, 'Microsoft.Automation/automationAccounts'),
  ) as ResourceRef<R> | undefined;
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
    diagnosticSettings: resolveDiagnosticSettings<R>(
      rules,
      p.diagnosticSettings as readonly DiagnosticSettingProps<R>[] | undefined,
      name,
      d.diagnostics,
    ),
  };
}

/**
 * A vault with every default and no name, for a building block whose vault reference is missing
 * or wrong: the block still reports its own props, next to the reference.
 */
export function vaultStandIn<R = never>(): RecoveryVaultSpec<R> {
  return resolveRecoveryVault<R>(new RuleSet(), { name: '', resourceGroupName: '', location: '' });
}

/** A resource group name's value check (the one place it is written). */
export function checkResourceGroupName(rules: RuleSet, prop: string, value: unknown): boolean {
  return rules.check(
    value === undefined || (typeof value === 'string' && isResourceGroupName(value)),
    prop,
    value,
    'a resource group name has 1-90 characters: letters, digits, _ - . ( ), not ending with a period',
  );
}
