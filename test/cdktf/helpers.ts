import { App, Testing, type TerraformStack } from 'cdktf';

/** The synthesized Terraform JSON of a stack. */
export type TfJson = {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, unknown>;
  terraform?: Record<string, unknown>;
};

/**
 * What Terraform makes of a string in JSON syntax that holds no interpolation: the text with its
 * template escapes (`$${`, `%%{`) undone. The value Azure receives.
 */
export function terraformTemplateText(s: string): string {
  return s.replace(/\$\$\{/g, () => '${').replace(/%%\{/g, () => '%{');
}

export function synth(stack: TerraformStack): TfJson {
  return JSON.parse(Testing.synth(stack)) as TfJson;
}

export function testApp(context: Record<string, unknown> = {}): App {
  return Testing.app({ context });
}

/** All resources of one Terraform type, without cdktf's metadata. */
export function resources(doc: TfJson, type: string): Record<string, unknown>[] {
  return Object.values(doc.resource[type] ?? {}).map((r) => {
    const { ['//']: _meta, ...rest } = r as Record<string, unknown>;
    void _meta;
    return rest;
  });
}

/** The one resource of a type; fails if there is not exactly one. */
export function only(doc: TfJson, type: string): Record<string, unknown> {
  const all = resources(doc, type);
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0]!;
}

/** Terraform resource type to the ARM type the domain plan uses. */
export const ARM_TYPE: Record<string, string> = {
  azurerm_recovery_services_vault: 'Microsoft.RecoveryServices/vaults',
  azurerm_management_lock: 'Microsoft.Authorization/locks',
  azurerm_monitor_diagnostic_setting: 'Microsoft.Insights/diagnosticSettings',
  azurerm_monitor_metric_alert: 'Microsoft.Insights/metricAlerts',
  azurerm_automation_account: 'Microsoft.Automation/automationAccounts',
  azurerm_automation_runtime_environment: 'Microsoft.Automation/automationAccounts/runtimeEnvironments',
  azurerm_automation_runbook: 'Microsoft.Automation/automationAccounts/runbooks',
  azurerm_automation_schedule: 'Microsoft.Automation/automationAccounts/schedules',
  azurerm_automation_job_schedule: 'Microsoft.Automation/automationAccounts/jobSchedules',
  azurerm_role_assignment: 'Microsoft.Authorization/roleAssignments',
  azurerm_role_definition: 'Microsoft.Authorization/roleDefinitions',
  azurerm_site_recovery_fabric: 'Microsoft.RecoveryServices/vaults/replicationFabrics',
  azurerm_site_recovery_protection_container:
    'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers',
  azurerm_site_recovery_replication_policy: 'Microsoft.RecoveryServices/vaults/replicationPolicies',
  azurerm_site_recovery_vmware_replication_policy: 'Microsoft.RecoveryServices/vaults/replicationPolicies',
  azurerm_site_recovery_protection_container_mapping:
    'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectionContainerMappings',
  azurerm_site_recovery_vmware_replication_policy_association:
    'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectionContainerMappings',
  azurerm_site_recovery_network_mapping:
    'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationNetworks/replicationNetworkMappings',
  azurerm_log_analytics_workspace_table_custom_log: 'Microsoft.OperationalInsights/workspaces/tables',
  azurerm_monitor_data_collection_endpoint: 'Microsoft.Insights/dataCollectionEndpoints',
  azurerm_monitor_data_collection_rule: 'Microsoft.Insights/dataCollectionRules',
  azurerm_application_insights_workbook: 'Microsoft.Insights/workbooks',
  azurerm_monitor_scheduled_query_rules_alert_v2: 'Microsoft.Insights/scheduledQueryRules',
};
