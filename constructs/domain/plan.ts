import type { MetricAlertSpec } from './alerts';
import type { AutoUpdateAutomationSpec } from './automation';
import type {
  CustomRoleDefinitionSpec,
  ExistingVaultsScenarioSpec,
  FleetAutomationSpec,
} from './existing-vaults';
import type { AutoUpdateTarget, ReplicationPolicySpec } from './replication';
import type { ScenarioSpec } from './scenario';
import type { DiagnosticSettingSpec, LockSpec } from './shared';
import type { EstateLogAlertSpec } from './estate-alerts';
import { estateWorkbookSerializedData, TABLE_COLUMN_TYPES, type EstateVisibilitySpec } from './visibility';

/**
 * One Azure resource a scenario needs, engine-neutral: the ARM type, the name and the properties
 * that matter. References to other resources are symbolic (`<vault.id>`), because their ids are
 * only known at deploy. Parity tests compare both engines' output with this list.
 */
export interface PlannedResource {
  readonly type: string;
  readonly name: string;
  readonly properties: Readonly<Record<string, unknown>>;
}

function lockEntry(lock: LockSpec | undefined, scope: string): PlannedResource[] {
  return lock
    ? [{ type: 'Microsoft.Authorization/locks', name: lock.name, properties: { level: lock.kind, scope } }]
    : [];
}

function diagnosticEntries(settings: readonly DiagnosticSettingSpec[], target: string): PlannedResource[] {
  return settings.map((s) => ({
    type: 'Microsoft.Insights/diagnosticSettings',
    name: s.name,
    properties: {
      target,
      workspaceResourceId: s.workspaceResourceId,
      storageAccountResourceId: s.storageAccountResourceId,
      eventHubAuthorizationRuleResourceId: s.eventHubAuthorizationRuleResourceId,
      logCategories: s.logCategories,
      logCategoryGroups: s.logCategoryGroups,
      metricCategories: s.metricCategories,
    },
  }));
}

/** The account, its runtime environment and its runbook: what every arrangement of the automation has. */
function accountEntries(a: AutoUpdateAutomationSpec | FleetAutomationSpec): PlannedResource[] {
  return [
    {
      type: 'Microsoft.Automation/automationAccounts',
      name: a.name,
      properties: {
        location: a.location,
        sku: a.skuName,
        identity: 'SystemAssigned',
        localAuthenticationEnabled: a.localAuthenticationEnabled,
        publicNetworkAccessEnabled: a.publicNetworkAccessEnabled,
      },
    },
    ...(a.runtime.environment?.create
      ? [
          {
            type: 'Microsoft.Automation/automationAccounts/runtimeEnvironments',
            name: a.runtime.environment.name,
            properties: {
              location: a.location,
              language: a.runtime.environment.language,
              version: a.runtime.environment.version,
              defaultPackages: a.runtime.environment.defaultPackages,
            },
          },
        ]
      : []),
    {
      type: 'Microsoft.Automation/automationAccounts/runbooks',
      name: a.runbook.name,
      properties: {
        runbookType: a.runtime.runbookType,
        runtimeEnvironment: a.runtime.environment?.name,
        contentSha256: a.runbook.contentLink?.sha256 ?? a.runbook.asset.sha256,
      },
    },
  ];
}

function roleAssignmentEntries(a: AutoUpdateAutomationSpec | FleetAutomationSpec): PlannedResource[] {
  return a.roleAssignments.map((ra) => ({
    type: 'Microsoft.Authorization/roleAssignments',
    name: ra.name,
    properties: {
      roleDefinitionGuid: ra.roleDefinitionGuid,
      scope: ra.scope.kind === 'vault' ? '<vault.id>' : ra.scope.resourceId,
      principalId: '<automationAccount.identity.principalId>',
      principalType: ra.principalType,
    },
  }));
}

/** Diagnostic settings, the failed-job alert and what the estate's visibility declares. */
function monitoringEntries(a: AutoUpdateAutomationSpec | FleetAutomationSpec): PlannedResource[] {
  return [
    ...diagnosticEntries(a.diagnosticSettings, '<automationAccount.id>'),
    ...(a.failedJobAlert ? [metricAlertEntry(a.failedJobAlert, '<automationAccount.id>')] : []),
    ...(a.visibility ? visibilityEntries(a.visibility) : []),
  ];
}

/**
 * The estate's tables (in the workspace), the data collection endpoint and rule, the identity's role
 * on the rule, the workbook, the at-risk and the silence alerts. A literal workspace id appears as given.
 */
export function visibilityEntries(v: EstateVisibilitySpec): PlannedResource[] {
  const workspace = v.workspaceResourceId;
  return [
    ...v.tables.map((t) => ({
      type: 'Microsoft.OperationalInsights/workspaces/tables',
      name: t.name,
      properties: {
        workspace,
        columns: t.columns.map((c) => ({ name: c.name, type: TABLE_COLUMN_TYPES[c.type] })),
      },
    })),
    {
      type: 'Microsoft.Insights/dataCollectionEndpoints',
      name: v.dataCollectionEndpoint.name,
      properties: {
        location: v.location,
        publicNetworkAccessEnabled: v.dataCollectionEndpoint.publicNetworkAccessEnabled,
      },
    },
    {
      type: 'Microsoft.Insights/dataCollectionRules',
      name: v.dataCollectionRule.name,
      properties: {
        location: v.location,
        dataCollectionEndpoint: v.dataCollectionEndpoint.name,
        destinations: [{ name: v.dataCollectionRule.destinationName, workspaceResourceId: workspace }],
        streamDeclarations: v.tables.map((t) => ({
          stream: t.stream,
          columns: t.columns.map((c) => ({ name: c.name, type: c.type })),
        })),
        dataFlows: v.tables.map((t) => ({
          streams: [t.stream],
          destinations: [v.dataCollectionRule.destinationName],
          outputStream: t.stream,
          transformKql: v.dataCollectionRule.transformKql,
        })),
      },
    },
    {
      type: 'Microsoft.Authorization/roleAssignments',
      name: v.roleAssignment.name,
      properties: {
        roleDefinitionGuid: v.roleAssignment.roleDefinitionGuid,
        scope: '<dataCollectionRule.id>',
        principalId: '<automationAccount.identity.principalId>',
        principalType: v.roleAssignment.principalType,
      },
    },
    {
      type: 'Microsoft.Insights/workbooks',
      name: v.workbook.name,
      properties: {
        location: v.location,
        kind: v.workbook.kind,
        category: v.workbook.category,
        displayName: v.workbook.displayName,
        sourceId: v.workbook.sourceId,
        serializedData: estateWorkbookSerializedData(workspace),
      },
    },
    ...[v.atRiskAlert, v.silenceAlert]
      .filter((a): a is EstateLogAlertSpec => a !== undefined)
      .map((a) => logAlertEntry(a, v.location, workspace)),
  ];
}

/** A scheduled-query (log) alert on the workspace, split per vault by its dimensions. */
function logAlertEntry(alert: EstateLogAlertSpec, location: string, workspace: string): PlannedResource {
  return {
    type: 'Microsoft.Insights/scheduledQueryRules',
    name: alert.name,
    properties: {
      location,
      scopes: [workspace],
      enabled: alert.enabled,
      severity: alert.severity,
      evaluationFrequency: alert.evaluationFrequency,
      windowSize: alert.windowSize,
      autoMitigate: alert.autoMitigate,
      criterion: {
        query: alert.query,
        timeAggregation: alert.timeAggregation,
        operator: alert.operator,
        threshold: alert.threshold,
        dimensions: alert.dimensions.map((d) => ({
          name: d.name,
          operator: d.operator,
          values: [...d.values],
        })),
        numberOfEvaluationPeriods: alert.failingPeriods.numberOfEvaluationPeriods,
        minFailingPeriodsToAlert: alert.failingPeriods.minFailingPeriodsToAlert,
      },
      actionGroupIds: [...alert.actionGroupIds],
    },
  };
}

function automationEntries(a: AutoUpdateAutomationSpec): PlannedResource[] {
  return [
    ...accountEntries(a),
    {
      type: 'Microsoft.Automation/automationAccounts/schedules',
      name: a.schedule.name,
      properties: {
        frequency: a.schedule.frequency,
        interval: a.schedule.interval,
        timeZone: a.schedule.timeZone,
        startTime: a.schedule.startTime,
      },
    },
    {
      type: 'Microsoft.Automation/automationAccounts/jobSchedules',
      name: a.jobScheduleId,
      properties: { runbook: a.runbook.name, schedule: a.schedule.name, parameters: a.jobParameters },
    },
    ...roleAssignmentEntries(a),
    ...monitoringEntries(a),
  ];
}

/**
 * Every resource the existing-vaults scenario needs, in a stable order: the automation only (no
 * vault, fabric, container, policy or mapping), with a schedule and job schedule per time zone and
 * a role assignment on each vault, scoped to its id.
 */
export function planExistingVaults(spec: ExistingVaultsScenarioSpec): PlannedResource[] {
  const a = spec.automation;
  return [
    ...accountEntries(a),
    ...a.schedules.flatMap((s) => [
      {
        type: 'Microsoft.Automation/automationAccounts/schedules',
        name: s.name,
        properties: {
          frequency: s.frequency,
          interval: s.interval,
          timeZone: s.timeZone,
          startTime: s.startTime,
        },
      },
      {
        type: 'Microsoft.Automation/automationAccounts/jobSchedules',
        name: s.jobScheduleId,
        properties: { runbook: a.runbook.name, schedule: s.name, parameters: s.jobParameters },
      },
    ]),
    ...(a.roleDefinition ? [roleDefinitionEntry(a.roleDefinition)] : []),
    ...roleAssignmentEntries(a),
    ...monitoringEntries(a),
  ];
}

/** The custom role a fleet's discovery scopes get: declared before the assignments that use it. */
function roleDefinitionEntry(d: CustomRoleDefinitionSpec): PlannedResource {
  return {
    type: 'Microsoft.Authorization/roleDefinitions',
    name: d.guid,
    properties: {
      roleName: d.roleName,
      scope: d.scope,
      assignableScopes: [...d.assignableScopes],
      permissions: [{ actions: [...d.actions], notActions: [...d.notActions] }],
    },
  };
}

function metricAlertEntry(alert: MetricAlertSpec, scope: string): PlannedResource {
  const c = alert.criterion;
  return {
    type: 'Microsoft.Insights/metricAlerts',
    name: alert.name,
    properties: {
      location: alert.location,
      scopes: [scope],
      enabled: alert.enabled,
      severity: alert.severity,
      evaluationFrequency: alert.evaluationFrequency,
      windowSize: alert.windowSize,
      autoMitigate: alert.autoMitigate,
      criterion: {
        metricNamespace: c.metricNamespace,
        metricName: c.metricName,
        aggregation: c.aggregation,
        operator: c.operator,
        threshold: c.threshold,
        dimensions: c.dimensions.map((d) => ({ name: d.name, operator: d.operator, values: [...d.values] })),
      },
      actionGroupIds: [...alert.actionGroupIds],
    },
  };
}

function autoUpdateProperties(t: AutoUpdateTarget): Record<string, unknown> {
  if (!t.enabled) return { agentAutoUpdateStatus: 'Disabled' };
  return {
    agentAutoUpdateStatus: 'Enabled',
    automationAccountArmId:
      t.automationAccount.kind === 'managed' ? '<automationAccount.id>' : t.automationAccount.resourceId,
    automationAccountAuthenticationType: t.authenticationType,
  };
}

function policyEntry(policy: ReplicationPolicySpec): PlannedResource {
  return {
    type: 'Microsoft.RecoveryServices/vaults/replicationPolicies',
    name: policy.name,
    properties: {
      instanceType: policy.instanceType,
      recoveryPointRetentionInMinutes: policy.recoveryPointRetentionInMinutes,
      applicationConsistentSnapshotFrequencyInMinutes: policy.applicationConsistentSnapshotFrequencyInMinutes,
    },
  };
}

/** Every resource a validated scenario needs, in a stable order. */
export function planScenario(spec: ScenarioSpec): PlannedResource[] {
  const v = spec.vault;
  const out: PlannedResource[] = [
    {
      type: 'Microsoft.RecoveryServices/vaults',
      name: v.name,
      properties: {
        location: v.location,
        sku: v.sku,
        storageModeType: v.storageModeType,
        softDeleteEnabled: v.softDeleteEnabled,
        publicNetworkAccessEnabled: v.publicNetworkAccessEnabled,
        immutability: v.immutability,
        identity: v.systemAssignedIdentityEnabled ? 'SystemAssigned' : 'None',
        classicVmwareReplicationEnabled: v.classicVmwareReplicationEnabled,
      },
    },
    ...lockEntry(v.lock, '<vault.id>'),
    ...diagnosticEntries(v.diagnosticSettings, '<vault.id>'),
  ];
  if (spec.automation) out.push(...automationEntries(spec.automation));
  if (spec.scenario === 'a2a') {
    const r = spec.replication;
    for (const side of ['source', 'target'] as const) {
      out.push({
        type: 'Microsoft.RecoveryServices/vaults/replicationFabrics',
        name: r.fabrics[side].name,
        properties: { location: r.fabrics[side].location, instanceType: 'Azure' },
      });
    }
    for (const side of ['source', 'target'] as const) {
      out.push({
        type: 'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers',
        name: r.containers[side],
        properties: { fabric: r.fabrics[side].name },
      });
    }
    out.push(policyEntry(r.policy));
    for (const m of r.mappings) {
      out.push({
        type: 'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectionContainerMappings',
        name: m.name,
        properties: {
          sourceContainer: r.containers[m.from],
          targetContainer: r.containers[m.to],
          policy: r.policy.name,
          ...autoUpdateProperties(m.autoUpdate),
        },
      });
    }
    for (const n of r.networkMappings) {
      out.push({
        type: 'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationNetworks/replicationNetworkMappings',
        name: n.name,
        properties: {
          sourceFabric: r.fabrics[n.from].name,
          sourceNetworkResourceId: n.sourceNetworkResourceId,
          targetNetworkResourceId: n.targetNetworkResourceId,
        },
      });
    }
  } else {
    const r = spec.replication;
    out.push(policyEntry(r.policy));
    out.push({
      type: 'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectionContainerMappings',
      name: r.association.name,
      // The provider (InMageRcm) follows from the policy; neither engine names it on the association.
      properties: { policy: r.policy.name },
    });
  }
  return out;
}
