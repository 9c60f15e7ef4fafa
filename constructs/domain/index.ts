/**
 * The engine-neutral domain, public part (`asr-mobility-autoupdate/domain`): the props and
 * validated spec types, the scenario resolvers, the errors, the tables, the policy rules, the plan,
 * the agent status classification and the runbook asset. Everything else is internal
 * (`./internal`, not an entry point) and may change in any release. The list below is the API the
 * README documents; API Extractor records it with signatures in `api/domain.api.md`
 * (`npm run api`) and the package test fails when the two differ.
 */
export {
  AGENT_STATUSES,
  classifyAgent,
  compareAgentVersions,
  DEFAULT_EXPIRING_WITHIN_DAYS,
  NON_BLOCKING_UPGRADE_REASONS,
  type AgentFacts,
  type AgentStatus,
  type AgentUpgradeBlockingError,
  type AgentVerdict,
  type ClassifyOptions,
  type MobilityAgentDetails,
} from './agent-status';
export {
  ALERT_DEFAULTS,
  ALERT_EVALUATION_FREQUENCIES,
  ALERT_WINDOW_SIZES,
  type AlertEvaluationFrequency,
  type AlertSeverity,
  type AlertWindowSize,
  type AutomationAlertsProps,
  type MetricAlertSpec,
  type MetricDimensionSpec,
} from './alerts';
export {
  AUTOMATION_DEFAULTS,
  runbookLinkWindow,
  RUNBOOK_HOSTINGS,
  type AutomationAuthenticationType,
  type AutoUpdateAction,
  type AutoUpdateAutomationProps,
  type AutoUpdateAutomationSpec,
  type JobScheduleParameters,
  type ReplicationProvider,
  type RoleAssignmentSpec,
  type RunbookContentLinkProps,
  type RunbookHostingKind,
  type RunbookLinkWindow,
  type RunbookStorageProps,
  type ScopeWidth,
  type VaultFacts,
} from './automation';
export { type DailyScheduleSpec } from './daily-schedule';
export { type RunbookSpec, type RunbookStorageSpec } from './runbook-hosting';
export {
  POLICY_RULES,
  type CheckInput,
  type Fact,
  type Finding,
  type PolicyRule,
  type RuleFinding,
  type Suppression,
} from './checks';
export { ValidationError, type Violation } from './errors';
export {
  MAX_DISCOVERY_SUBSCRIPTIONS,
  MAX_VAULTS_PER_ACCOUNT,
  RECOVERY_SERVICES_VAULT_TYPE,
  resolveExistingVaultsScenario,
  type CustomRoleDefinitionSpec,
  type ExistingVaultOptions,
  type ExistingVaultProps,
  type ExistingVaultsAutomationProps,
  type ExistingVaultsScenarioProps,
  type ExistingVaultsScenarioSpec,
  type ExistingVaultSpec,
  type FleetAutomationSpec,
  type FleetJobScheduleParameters,
  type FleetRoleAssignmentSpec,
  type FleetScheduleSpec,
  type VaultDiscoveryProps,
  type VaultDiscoverySpec,
  type VaultTagFilter,
} from './existing-vaults';
export { planExistingVaults, planScenario, type PlannedResource } from './plan';
export { REGIONS, type RegionInfo } from './regions';
export {
  POLICY_LIMITS,
  REPLICATION_DEFAULTS,
  SITE_RECOVERY_API_VERSION,
  type A2AReplicationProps,
  type A2AReplicationSpec,
  type AutoUpdateTarget,
  type ReplicationPolicyProps,
  type ReplicationPolicySpec,
  type VmwareEngineRequirements,
  type VmwareReplicationProps,
  type VmwareReplicationSpec,
} from './replication';
export {
  BUILT_IN_ROLES,
  DEFAULT_ROLE,
  KNOWN_ROLES,
  RUNBOOK_ROLE_ACTIONS,
  type BuiltInRoleName,
  type KnownRole,
} from './roles';
export { LITERALS_ONLY, type DeployTimeValues, type ResourceRef } from './rules';
export { runbookAsset, RUNBOOK_FILE_NAME, type RunbookAsset } from './runbook-asset';
export {
  POWERSHELL_RUNTIME_VERSIONS,
  POWERSHELL_RUNTIMES,
  RETIRED_POWERSHELL_RUNTIMES,
  RUNTIME_DEFAULTS,
  type PowerShellRuntimeVersion,
  type RunbookRuntimeProps,
  type RunbookRuntimeSpec,
  type RuntimeEnvironmentSpec,
} from './runtime';
export {
  resolveA2AScenario,
  resolveVmwareScenario,
  type A2AScenarioProps,
  type A2AScenarioSpec,
  type ScenarioAutomationProps,
  type ScenarioSpec,
  type VmwareScenarioProps,
  type VmwareScenarioSpec,
} from './scenario';
export { type Clock } from './schedule';
export {
  type DiagnosticSettingProps,
  type DiagnosticSettingSpec,
  type LockProps,
  type LockSpec,
  type Tags,
} from './shared';
export {
  VAULT_DEFAULTS,
  type ExtensionUpdateSettingsProps,
  type Immutability,
  type RecoveryVaultProps,
  type RecoveryVaultSpec,
  type SiteRecoveryAlertsProps,
  type StorageModeType,
  type VaultSku,
} from './vault';
export {
  AT_RISK_ALERT_QUERY,
  ESTATE_ALERT_DEFAULTS,
  silenceAlertQuery,
  type AtRiskAlertSpec,
  type EstateAlertDimension,
  type EstateLogAlertSpec,
  type SilenceAlertSpec,
} from './estate-alerts';
export {
  ESTATE_TABLES,
  ESTATE_VISIBILITY_DEFAULTS,
  ESTATE_WORKBOOK_QUERIES,
  estateWorkbookSerializedData,
  MONITORING_METRICS_PUBLISHER_ROLE,
  SUBSCRIPTIONS_PARAMETER_QUERY,
  TABLE_COLUMN_TYPES,
  WORKBOOK_FORMAT,
  WORKBOOK_PARAMETERS,
  type EstateColumn,
  type EstateColumnType,
  type EstateQuery,
  type EstateTable,
  type EstateVisibilityProps,
  type EstateVisibilitySpec,
  type IngestionJobParameters,
} from './visibility';
