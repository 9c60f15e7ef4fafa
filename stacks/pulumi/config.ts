import {
  ALERT_DEFAULTS,
  AUTOMATION_DEFAULTS,
  ESTATE_VISIBILITY_DEFAULTS,
  REPLICATION_DEFAULTS,
  VAULT_DEFAULTS,
  type A2AScenarioProps,
  type AlertEvaluationFrequency,
  type AlertSeverity,
  type AlertWindowSize,
  type Clock,
  type ExistingVaultsScenarioProps,
  type PowerShellRuntimeVersion,
  type ReplicationProvider,
  type RunbookHostingKind,
  type ScenarioAutomationProps,
  type VmwareScenarioProps,
} from '../../constructs/domain';
import { ConfigError } from '../config';

/**
 * Every stack setting of the Pulumi program, flat (Pulumi.yaml config types are scalars and
 * arrays), with its type, its default and the domain prop it feeds. Pulumi.yaml's `config`
 * section is generated from this table (`npm run gen:pulumi-yaml`) and a test keeps the two
 * equal, so defaults live in the domain only. An empty string means "not set": the domain decides.
 */
export interface ConfigKey {
  readonly type: 'string' | 'integer' | 'boolean' | 'array';
  readonly default: string | number | boolean | readonly string[];
  readonly description: string;
  /** JSON-encoded structured value (tags, lock, diagnostic settings, suppressions). */
  readonly json?: boolean;
}

const str = (description: string, value = '') => ({ type: 'string' as const, default: value, description });
const json = (description: string, value: string) => ({
  type: 'string' as const,
  default: value,
  description,
  json: true,
});
const int = (description: string, value: number) => ({
  type: 'integer' as const,
  default: value,
  description,
});
const bool = (description: string, value: boolean) => ({
  type: 'boolean' as const,
  default: value,
  description,
});

export const CONFIG_KEYS = {
  scenario: str(
    'Which scenario this stack deploys: a2a, vmware, or existing (automation only, for vaults that already exist).',
    'a2a',
  ),
  // Existing vaults (scenario existing)
  existingVaults: json(
    'existing: the vaults, as a JSON list of {"vaultResourceId","sourceRegion"} (or "timeZone" instead of "sourceRegion"). Required for existing.',
    '[]',
  ),
  existingDiscovery: json(
    'existing: vaults found each night by scope and tag, as JSON {"subscriptionIds","managementGroupId","tag":{"name","value"},"excludeVaultResourceIds","timeZone"} (VaultDiscoveryProps); empty for none.',
    '',
  ),
  automationResourceGroupName: str(
    'existing: resource group of the automation account. Required for existing.',
  ),
  automationLocation: str('existing: region of the automation account. Required for existing.'),
  providers: {
    type: 'array' as const,
    default: [] as readonly string[],
    description: `existing: the providers the runbook reconciles on every vault (A2A, InMageRcm); empty for ${AUTOMATION_DEFAULTS.providers.join(', ')}.`,
  },
  // Vault
  vaultName: str(
    'Recovery Services vault name (2-50 letters, digits, hyphens; starts with a letter). Required.',
  ),
  vaultResourceGroupName: str('Resource group of the vault (must exist). Required.'),
  vaultLocation: str('Vault region; for a2a, the target region. Required.'),
  vaultSku: str('Vault SKU: Standard or RS0.', VAULT_DEFAULTS.sku),
  vaultStorageModeType: str(
    'GeoRedundant, LocallyRedundant or ZoneRedundant.',
    VAULT_DEFAULTS.storageModeType,
  ),
  vaultCrossRegionRestoreEnabled: bool(
    'Cross-region restore (needs GeoRedundant).',
    VAULT_DEFAULTS.crossRegionRestoreEnabled,
  ),
  vaultSoftDeleteEnabled: bool('Soft delete.', VAULT_DEFAULTS.softDeleteEnabled),
  vaultPublicNetworkAccessEnabled: bool(
    'Public network access to the vault; off means private endpoints.',
    VAULT_DEFAULTS.publicNetworkAccessEnabled,
  ),
  vaultImmutability: str('Disabled, Unlocked or Locked (irreversible).', VAULT_DEFAULTS.immutability),
  vaultSystemAssignedIdentityEnabled: bool(
    'System-assigned identity for the vault.',
    VAULT_DEFAULTS.systemAssignedIdentityEnabled,
  ),
  vaultAllJobFailuresAlertsEnabled: bool(
    'Azure Monitor alerts for every failed job.',
    VAULT_DEFAULTS.allJobFailuresEnabled,
  ),
  vaultCriticalOperationFailuresAlertsEnabled: bool(
    'Alerts for failed critical operations.',
    VAULT_DEFAULTS.criticalOperationFailuresEnabled,
  ),
  autoUpdateEnabled: bool(
    'Allow Site Recovery to manage the Mobility-service extension.',
    VAULT_DEFAULTS.autoUpdateEnabled,
  ),
  existingAutomationAccountResourceId: str(
    'A2A only: an existing automation account to use instead of creating one.',
  ),
  tags: json('Tags, as a JSON object of strings.', '{}'),
  vaultLock: json(
    'Vault lock, as JSON: {"kind":"CanNotDelete"|"ReadOnly","name":"..."}; empty for none.',
    '',
  ),
  vaultDiagnosticSettings: json('Vault diagnostic settings, as a JSON list (see docs/props.md).', '[]'),
  // Replication
  sourceRegion: str('a2a: the region the protected VMs run in. Required for a2a.'),
  targetRegion: str('a2a: the region they fail over to. Required for a2a.'),
  recoveryPointRetentionInMinutes: int(
    'Recovery point retention, 0-21600 minutes.',
    REPLICATION_DEFAULTS.recoveryPointRetentionInMinutes,
  ),
  applicationConsistentSnapshotFrequencyInMinutes: int(
    'App-consistent snapshot frequency, 0-720 minutes, not above the retention.',
    REPLICATION_DEFAULTS.applicationConsistentSnapshotFrequencyInMinutes,
  ),
  sourceNetworkResourceId: str(
    'a2a: source virtual network id (with targetNetworkResourceId) for network mappings.',
  ),
  targetNetworkResourceId: str('a2a: target virtual network id (with sourceNetworkResourceId).'),
  policyName: str('Replication policy name; empty for the scenario default.'),
  sourceFabricName: str('a2a: source fabric name; empty for asr-fabric-<region>.'),
  targetFabricName: str('a2a: target fabric name; empty for asr-fabric-<region>.'),
  sourceContainerName: str('a2a: source container name; empty for asr-container-<region>.'),
  targetContainerName: str('a2a: target container name; empty for asr-container-<region>.'),
  policyAssociationName: str(
    `vmware: policy association name; empty for ${REPLICATION_DEFAULTS.vmwareAssociationName}.`,
  ),
  acceptManualAgentUpgrades: bool('vmware: accept manual agent upgrades behind private endpoints.', false),
  applianceFabricName: str('vmware: the registered appliance fabric name. Required for vmware with Pulumi.'),
  applianceContainerName: str(
    'vmware: the registered appliance protection container name. Required for vmware with Pulumi.',
  ),
  // Automation
  automationAccountName: str(
    'Automation account name; empty for <vault>-asr-updates (required for existing).',
  ),
  automationPublicNetworkAccessEnabled: bool(
    'Public network access to the automation account.',
    AUTOMATION_DEFAULTS.publicNetworkAccessEnabled,
  ),
  scheduleSourceRegion: str('Region whose midnight the schedule follows; empty for the scenario default.'),
  timeZone: str('IANA time zone of the schedule; empty for the source region zone.'),
  timeOfDay: str('Local time of the daily run, HH:MM.', AUTOMATION_DEFAULTS.timeOfDay),
  startTime: str('First run (RFC 3339); empty for the next timeOfDay at least 10 minutes ahead.'),
  roleDefinition: str(
    'Role of the automation identity: a built-in name or a GUID; empty for the default (Contributor on each vault, the library custom role at discovery scopes).',
  ),
  additionalRoleScopes: {
    type: 'array' as const,
    default: [] as readonly string[],
    description: 'Further scopes for the same role (resource ids); wider than the vault gives a warning.',
  },
  automationDiagnosticSettings: json(
    'Automation diagnostic settings, as a JSON list (JobLogs and JobStreams by default).',
    '[]',
  ),
  runtimeVersion: str(
    'PowerShell version of the runbook: empty for 7.6 (a runtime environment; in Azure Automation since 2026-07-30, Azure Update 568102); 7.4 is still accepted, past its community support (warning ASR-W06); 7.1 and 7.2 are refused (retired in Automation on 2026-09-30, Azure Update 567556).',
  ),
  runtimeEnvironmentName: str(
    'An existing PowerShell runtime environment of the account to link the runbook to; empty to create one.',
  ),
  runbookContentLinkUri: str(
    'Publish the runbook from this https URI instead of hosting it (with runbookContentLinkSha256).',
  ),
  runbookContentLinkSha256: str('SHA-256 of the runbook at runbookContentLinkUri.'),
  runbookHosting: str(
    "How the runbook is published without runbookContentLinkUri: publish (draft content published through Resource Manager with the deployer's credentials, no storage account) or storage (a storage account with shared-key and public network access on).",
    AUTOMATION_DEFAULTS.runbookHosting,
  ),
  runbookStorageAccountName: str(
    'runbookHosting storage: the storage account that hosts the runbook; empty for a name derived from the vault.',
  ),
  runbookSasValidityInHours: int(
    'runbookHosting storage: validity of the read-only runbook link, 1-168 hours.',
    AUTOMATION_DEFAULTS.sasValidityInHours,
  ),
  // Alerting on the automation account
  failedJobAlertEnabled: bool(
    'Metric alert on the automation account when a job of the runbook ends Failed.',
    ALERT_DEFAULTS.failedJobAlertEnabled,
  ),
  failedJobAlertName: str('Name of that alert rule; empty for <automation account>-runbook-failed.'),
  alertActionGroupIds: {
    type: 'array' as const,
    default: [] as readonly string[],
    description:
      'Action groups the alert notifies (Microsoft.Insights/actionGroups resource ids); none by default.',
  },
  alertSeverity: int('Alert severity, 0 (Critical) to 4 (Verbose).', ALERT_DEFAULTS.severity),
  alertEvaluationFrequency: str(
    'How often the alert is evaluated: PT1M, PT5M, PT15M, PT30M or PT1H.',
    ALERT_DEFAULTS.evaluationFrequency,
  ),
  alertWindowSize: str(
    'Look-back window of each evaluation, at least the frequency: PT1M ... PT1H, PT6H, PT12H or P1D.',
    ALERT_DEFAULTS.windowSize,
  ),
  alertAutoMitigationEnabled: bool(
    'Resolve the fired alert by itself once a window has no failed job.',
    ALERT_DEFAULTS.autoMitigationEnabled,
  ),
  // Seeing the estate (docs/seeing-the-estate.md)
  visibilityWorkspaceResourceId: str(
    'Log Analytics workspace id the runbook sends its nightly rows to (tables, data collection endpoint and rule, workbook, at-risk alert); empty for none.',
  ),
  visibilityLocation: str("The workspace's region; empty for the automation account's."),
  visibilityAtRiskAlertEnabled: bool(
    'Log alert when the last night found a machine out of support or blocked.',
    ESTATE_VISIBILITY_DEFAULTS.atRiskAlertEnabled,
  ),
  visibilitySilenceAlertEnabled: bool(
    'Log alert, per vault, when a vault that reported in the last 48 h sent no run row for visibilitySilenceAlertAfterHours.',
    ESTATE_VISIBILITY_DEFAULTS.silenceAlertEnabled,
  ),
  visibilitySilenceAlertAfterHours: int(
    'Hours without a run row before a vault counts as silent (25 to 47).',
    ESTATE_VISIBILITY_DEFAULTS.silenceAlertAfterHours,
  ),
  suppressions: json('Warning suppressions, as a JSON list of {"ruleId","reason"}.', '[]'),
} satisfies Record<string, ConfigKey>;

export type ConfigKeyName = keyof typeof CONFIG_KEYS;

/** Reads raw values by key (Pulumi's Config, or a plain map in tests). */
export interface ConfigSource {
  get(key: string): string | undefined;
  /** Every key set for this project, when the source can list them; unknown keys are then an error. */
  keys?(): readonly string[];
}

type ValueOf<T extends ConfigKey['type']> = T extends 'integer'
  ? number
  : T extends 'boolean'
    ? boolean
    : T extends 'array'
      ? string[]
      : string;
type Values = { [K in ConfigKeyName]: ValueOf<(typeof CONFIG_KEYS)[K]['type']> };

/** Reads every key with its type, applying the table's default; a wrongly typed value is an error naming the key. */
export function readValues(source: ConfigSource): Values {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const key of source.keys?.() ?? []) {
    if (!Object.hasOwn(CONFIG_KEYS, key))
      problems.push(
        `${key}: is not a known setting (a misspelling would otherwise fall back to a default); see Pulumi.yaml`,
      );
  }
  for (const [key, spec] of Object.entries(CONFIG_KEYS) as [ConfigKeyName, ConfigKey][]) {
    const raw = source.get(key);
    if (raw === undefined) {
      out[key] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
      continue;
    }
    if (spec.type === 'integer') {
      if (!/^-?\d+$/.test(raw.trim()))
        problems.push(`${key}: received ${JSON.stringify(raw)}; must be an integer`);
      out[key] = Number(raw);
    } else if (spec.type === 'boolean') {
      if (raw !== 'true' && raw !== 'false')
        problems.push(`${key}: received ${JSON.stringify(raw)}; must be true or false`);
      out[key] = raw === 'true';
    } else if (spec.type === 'array') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        parsed = undefined;
      }
      if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string'))
        problems.push(`${key}: received ${JSON.stringify(raw)}; must be a list of strings`);
      out[key] = Array.isArray(parsed) ? parsed : [];
    } else {
      out[key] = raw;
    }
  }
  if (problems.length > 0) throw new ConfigError('Pulumi config', problems);
  return out as Values;
}

function parseJson<T>(key: string, text: string): T | undefined {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new ConfigError('Pulumi config', [`${key}: not valid JSON (${(e as Error).message})`]);
  }
}

const opt = (v: string): string | undefined => (v === '' ? undefined : v);

/** The scenario props a stack's config describes; the domain validates them. */
export function scenarioFromConfig(
  source: ConfigSource,
  clock?: Clock,
):
  | { readonly scenario: 'a2a'; readonly props: A2AScenarioProps }
  | { readonly scenario: 'vmware'; readonly props: VmwareScenarioProps }
  | { readonly scenario: 'existing'; readonly props: ExistingVaultsScenarioProps } {
  const v = readValues(source);
  if (v.scenario !== 'a2a' && v.scenario !== 'vmware' && v.scenario !== 'existing')
    throw new ConfigError('Pulumi config', [
      `scenario: received ${JSON.stringify(v.scenario)}; must be a2a, vmware or existing`,
    ]);
  const vault = {
    name: v.vaultName,
    resourceGroupName: v.vaultResourceGroupName,
    location: v.vaultLocation,
    sku: v.vaultSku as A2AScenarioProps['vault']['sku'],
    storageModeType: v.vaultStorageModeType as A2AScenarioProps['vault']['storageModeType'],
    crossRegionRestoreEnabled: v.vaultCrossRegionRestoreEnabled,
    softDeleteEnabled: v.vaultSoftDeleteEnabled,
    publicNetworkAccessEnabled: v.vaultPublicNetworkAccessEnabled,
    immutability: v.vaultImmutability as A2AScenarioProps['vault']['immutability'],
    systemAssignedIdentityEnabled: v.vaultSystemAssignedIdentityEnabled,
    alerts: {
      allJobFailuresEnabled: v.vaultAllJobFailuresAlertsEnabled,
      criticalOperationFailuresEnabled: v.vaultCriticalOperationFailuresAlertsEnabled,
    },
    extensionUpdateSettings: {
      autoUpdateEnabled: v.autoUpdateEnabled,
      automationAccountResourceId: opt(v.existingAutomationAccountResourceId),
    },
    tags: parseJson<Record<string, string>>('tags', v.tags),
    lock: parseJson<A2AScenarioProps['vault']['lock']>('vaultLock', v.vaultLock),
    diagnosticSettings: parseJson<A2AScenarioProps['vault']['diagnosticSettings']>(
      'vaultDiagnosticSettings',
      v.vaultDiagnosticSettings,
    ),
  };
  const hasLink = v.runbookContentLinkUri !== '' || v.runbookContentLinkSha256 !== '';
  const automation: ScenarioAutomationProps = {
    name: opt(v.automationAccountName),
    publicNetworkAccessEnabled: v.automationPublicNetworkAccessEnabled,
    sourceRegion: opt(v.scheduleSourceRegion),
    timeZone: opt(v.timeZone),
    timeOfDay: v.timeOfDay,
    startTime: opt(v.startTime),
    roleDefinition: opt(v.roleDefinition),
    additionalRoleScopes: v.additionalRoleScopes,
    diagnosticSettings: parseJson('automationDiagnosticSettings', v.automationDiagnosticSettings),
    runbookContentLink: hasLink
      ? { uri: v.runbookContentLinkUri, sha256: v.runbookContentLinkSha256 }
      : undefined,
    runtime: {
      version: opt(v.runtimeVersion) as PowerShellRuntimeVersion | undefined,
      existingEnvironmentName: opt(v.runtimeEnvironmentName),
    },
    runbookHosting: v.runbookHosting as RunbookHostingKind,
    // The storage settings belong to the storage hosting: an account name given with another is refused.
    runbookStorage:
      v.runbookHosting === 'storage' || v.runbookStorageAccountName !== ''
        ? {
            accountName: opt(v.runbookStorageAccountName),
            sasValidityInHours: v.runbookSasValidityInHours,
          }
        : undefined,
    alerts: {
      failedJobAlertEnabled: v.failedJobAlertEnabled,
      failedJobAlertName: opt(v.failedJobAlertName),
      actionGroupIds: v.alertActionGroupIds,
      severity: v.alertSeverity as AlertSeverity,
      evaluationFrequency: v.alertEvaluationFrequency as AlertEvaluationFrequency,
      windowSize: v.alertWindowSize as AlertWindowSize,
      autoMitigationEnabled: v.alertAutoMitigationEnabled,
    },
    visibility:
      v.visibilityWorkspaceResourceId === ''
        ? undefined
        : {
            workspaceResourceId: v.visibilityWorkspaceResourceId,
            location: opt(v.visibilityLocation),
            atRiskAlertEnabled: v.visibilityAtRiskAlertEnabled,
            silenceAlertEnabled: v.visibilitySilenceAlertEnabled,
            silenceAlertAfterHours: v.visibilitySilenceAlertAfterHours,
          },
    clock,
  };
  const suppressions = parseJson<A2AScenarioProps['suppressions']>('suppressions', v.suppressions);
  const policy = {
    recoveryPointRetentionInMinutes: v.recoveryPointRetentionInMinutes,
    applicationConsistentSnapshotFrequencyInMinutes: v.applicationConsistentSnapshotFrequencyInMinutes,
    policyName: opt(v.policyName),
  };
  if (v.scenario === 'existing') {
    // A fleet's schedules follow each vault's own region, and its account has no vault to be named after.
    const fleetAutomation: Record<string, unknown> = { ...automation };
    for (const key of ['sourceRegion', 'timeZone', 'startTime']) delete fleetAutomation[key];
    return {
      scenario: 'existing',
      props: {
        vaults: parseJson<ExistingVaultsScenarioProps['vaults']>('existingVaults', v.existingVaults) ?? [],
        discovery: parseJson<ExistingVaultsScenarioProps['discovery']>(
          'existingDiscovery',
          v.existingDiscovery,
        ),
        automation: {
          ...(fleetAutomation as Omit<ExistingVaultsScenarioProps['automation'], 'name'>),
          name: v.automationAccountName,
          resourceGroupName: v.automationResourceGroupName,
          location: v.automationLocation,
          // No vault to inherit them from: the stack's tags go on the account.
          tags: vault.tags,
          providers: v.providers.length > 0 ? (v.providers as ReplicationProvider[]) : undefined,
        },
        suppressions,
      },
    };
  }
  const existing = vault.extensionUpdateSettings.automationAccountResourceId !== undefined;
  if (v.scenario === 'a2a') {
    return {
      scenario: 'a2a',
      props: {
        vault,
        // With an existing account the library creates no automation, so only the clock could be passed.
        automation: existing ? { clock } : automation,
        replication: {
          ...policy,
          sourceRegion: v.sourceRegion,
          targetRegion: v.targetRegion,
          sourceNetworkResourceId: opt(v.sourceNetworkResourceId),
          targetNetworkResourceId: opt(v.targetNetworkResourceId),
          sourceFabricName: opt(v.sourceFabricName),
          targetFabricName: opt(v.targetFabricName),
          sourceContainerName: opt(v.sourceContainerName),
          targetContainerName: opt(v.targetContainerName),
        },
        suppressions,
      },
    };
  }
  return {
    scenario: 'vmware',
    props: {
      vault,
      automation,
      replication: {
        ...policy,
        policyAssociationName: opt(v.policyAssociationName),
        acceptManualAgentUpgrades: v.acceptManualAgentUpgrades,
        applianceFabricName: opt(v.applianceFabricName),
        applianceContainerName: opt(v.applianceContainerName),
      },
      suppressions,
    },
  };
}
