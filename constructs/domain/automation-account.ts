import { AUTOMATION_DEFAULTS, nameOr, type AutomationAuthenticationType } from './automation-defaults';
import { AUTOMATION_ACCOUNT_NAME, checkName, deriveName } from './naming';
import { normalizeRegion, regionInfo } from './regions';
import type { ResourceRef, RuleSet } from './rules';
import {
  resolveDiagnosticSettings,
  type DiagnosticSettingProps,
  type DiagnosticSettingSpec,
  type Tags,
} from './shared';
import { checkResourceGroupName, REGION_LITERAL } from './vault';

/**
 * Where an account's defaults and deterministic names come from: the vault it serves, or, for a
 * fleet of existing vaults, the account's own required name, group and region.
 */
export interface AccountOwner<R = never> {
  /** The name default names and deterministic ids derive from: the vault's, or the fleet account's. */
  readonly name: string;
  /** The default resource group of the account: a literal or the engine's reference. */
  readonly resourceGroupName: ResourceRef<R>;
  /** The default region of the account. */
  readonly location: string;
  /** The default tags of the account. */
  readonly tags: Tags;
}

/** The account's props, as every arrangement of the automation takes them. */
export interface AccountPropsInput {
  readonly name?: unknown;
  readonly resourceGroupName?: unknown;
  readonly location?: unknown;
  readonly authenticationType?: unknown;
  readonly publicNetworkAccessEnabled?: unknown;
}

/** The validated account: its names, place and fixed, secure settings. */
export interface AutomationAccountPart<R = never> {
  readonly name: string;
  readonly resourceGroupName: ResourceRef<R>;
  readonly location: string;
  readonly skuName: 'Basic';
  readonly authenticationType: AutomationAuthenticationType;
  readonly localAuthenticationEnabled: false;
  readonly publicNetworkAccessEnabled: boolean;
}

/** Validates the account's props (authentication, name, group, region, network access), in that order. */
export function resolveAutomationAccount<R>(
  rules: RuleSet,
  p: AccountPropsInput,
  owner: AccountOwner<R>,
): AutomationAccountPart<R> {
  const authType = p.authenticationType;
  rules.check(
    authType === undefined || authType === 'SystemAssignedIdentity',
    'authenticationType',
    authType,
    authType === 'RunAsAccount' // retired 2023-09-30: refused with the reason below
      ? "RunAsAccount is refused: Azure Automation Run As accounts were retired on 2023-09-30; this library only uses the account's system-assigned managed identity ('SystemAssignedIdentity')"
      : "must be 'SystemAssignedIdentity' (the only authentication this library supports)",
  );
  // A derived name is valid whenever the owner's name is, so only a name the user gave is checked.
  const name = nameOr(
    rules.literal(
      'name',
      p.name,
      'the runbook storage account, the failed-job alert, role assignment and job schedule ids derive from it',
    ) &&
      checkName(
        rules,
        'name',
        p.name,
        AUTOMATION_ACCOUNT_NAME,
        'an automation account name has 6-50 characters: letters, digits and hyphens, starting with a letter and ending with a letter or digit',
      ),
    p.name,
    deriveName(owner.name, AUTOMATION_DEFAULTS.nameSuffix, 50),
  );
  const resourceGroupName = (rules.ref('resourceGroupName', p.resourceGroupName, checkResourceGroupName) ??
    owner.resourceGroupName) as ResourceRef<R>;
  const location =
    rules.literal('location', p.location, REGION_LITERAL) &&
    rules.check(
      p.location === undefined || (typeof p.location === 'string' && regionInfo(p.location) !== undefined),
      'location',
      p.location,
      'must be an Azure region name such as westeurope',
    ) &&
    typeof p.location === 'string'
      ? normalizeRegion(p.location)
      : owner.location;
  const publicNetworkAccessEnabled =
    rules.bool('publicNetworkAccessEnabled', p.publicNetworkAccessEnabled) ??
    AUTOMATION_DEFAULTS.publicNetworkAccessEnabled;
  return {
    name,
    resourceGroupName,
    location,
    skuName: 'Basic',
    authenticationType: 'SystemAssignedIdentity',
    localAuthenticationEnabled: false,
    publicNetworkAccessEnabled,
  };
}

/**
 * The key the automation's deterministic names (storage account, role assignments, job schedules,
 * workbook) derive from: the owner's group, the owner's name and the account's name, in lower case.
 * The group is a literal, or a reference not known until deploy: then the names are keyed by the
 * owner and account names alone.
 */
export function automationNameKey<R>(rules: RuleSet, owner: AccountOwner<R>, accountName: string): string {
  const groupKey = rules.isDeployTime(owner.resourceGroupName)
    ? '(deploy-time resource group)'
    : String(owner.resourceGroupName);
  return `${groupKey}/${owner.name}/${accountName}`.toLowerCase();
}

/** The account's tags: as given, else the owner's. */
export function resolveAccountTags<R>(rules: RuleSet, tags: unknown, owner: AccountOwner<R>): Tags {
  return rules.tags('tags', tags) ? { ...((tags as Tags | undefined) ?? owner.tags) } : { ...owner.tags };
}

/** The account's diagnostic settings for job logs and streams. */
export function resolveAccountDiagnostics<R>(
  rules: RuleSet,
  settings: unknown,
  accountName: string,
): DiagnosticSettingSpec<R>[] {
  return resolveDiagnosticSettings<R>(
    rules,
    settings as readonly DiagnosticSettingProps<R>[] | undefined,
    accountName,
    AUTOMATION_DEFAULTS.diagnostics,
  );
}
