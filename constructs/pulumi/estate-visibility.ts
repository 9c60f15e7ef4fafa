import { Workbook } from '@pulumi/azure-native/applicationinsights/workbook';
import { RoleAssignment } from '@pulumi/azure-native/authorization';
import { DataCollectionEndpoint } from '@pulumi/azure-native/monitor/dataCollectionEndpoint';
import { DataCollectionRule } from '@pulumi/azure-native/monitor/dataCollectionRule';
import { ScheduledQueryRule } from '@pulumi/azure-native/monitor/scheduledQueryRule';
import { Table } from '@pulumi/azure-native/operationalinsights/table';
import * as pulumi from '@pulumi/pulumi';
import {
  estateWorkbookSerializedData,
  TABLE_COLUMN_TYPES,
  roleAssignmentDescription,
  roleDefinitionScope,
  workspaceIdParts,
  type EstateLogAlertSpec,
  type EstateVisibilitySpec,
  type RunbookParameterReference,
} from '../domain/internal';
import { roleDefinitionId, type Ref } from './shared';
import { workspaceProvider } from './workspace-provider';

/**
 * What `visibility` registers, as children of the automation's component: the two custom tables in
 * the workspace (`<name>-table-<table>`), the data collection endpoint (`<name>-dce`) and rule
 * (`<name>-dcr`), the identity's role on the rule (`<name>-dcr-role`), the workbook
 * (`<name>-workbook`), the at-risk alert (`<name>-at-risk-alert`) and the silence alert
 * (`<name>-silence-alert`), each split per vault.
 */
export interface EstateVisibility {
  readonly spec: EstateVisibilitySpec<Ref>;
  readonly tables: readonly Table[];
  readonly dataCollectionEndpoint: DataCollectionEndpoint;
  readonly dataCollectionRule: DataCollectionRule;
  /** Monitoring Metrics Publisher for the account's identity, on the rule only. */
  readonly roleAssignment: RoleAssignment;
  readonly workbook: Workbook;
  /** Absent when `atRiskAlertEnabled` is false. */
  readonly atRiskAlert?: ScheduledQueryRule;
  /** Absent when `silenceAlertEnabled` is false. */
  readonly silenceAlert?: ScheduledQueryRule;
  /** The runbook's `IngestionEndpoint` and `IngestionRuleId` (lower-case keys, as Automation stores them). */
  readonly jobParameters: {
    readonly ingestionendpoint: pulumi.Output<string>;
    readonly ingestionruleid: pulumi.Output<string>;
  };
}

/** Where `visibility`'s resources go: the parent, the name prefix, the account's group, identity and tags. */
interface VisibilityTarget {
  readonly parent: pulumi.Resource;
  readonly name: string;
  readonly resourceGroupName: Ref;
  readonly principalId: pulumi.Input<string>;
  readonly tags: Record<string, string> | undefined;
  /** The provider the tables are declared with: one for the workspace's subscription. */
  readonly workspaceProvider: pulumi.ProviderResource;
}

/** Registers `visibility` under `parent`, or nothing when it is not given. */
export function addEstateVisibility(
  parent: pulumi.Resource,
  name: string,
  spec: EstateVisibilitySpec<Ref> | undefined,
  target: {
    readonly resourceGroupName: Ref;
    readonly principalId: pulumi.Input<string>;
    readonly tags: Record<string, string> | undefined;
    /** The caller's provider for the workspace's subscription; by default `<name>-workspace-provider`. */
    readonly workspaceProvider?: pulumi.ProviderResource;
  },
): EstateVisibility | undefined {
  if (!spec) return undefined;
  // azure-native addresses a table in its provider's subscription: always an explicit provider for
  // the workspace's, so a central workspace in another subscription gets its tables there.
  const provider =
    target.workspaceProvider ??
    workspaceProvider(`${name}-workspace-provider`, spec.workspaceResourceId, { parent });
  const t: VisibilityTarget = { parent, name, ...target, workspaceProvider: provider };
  const workspaceId = pulumi.output(spec.workspaceResourceId);
  const tables = addTables(t, spec, workspaceId);
  const { dataCollectionEndpoint, dataCollectionRule } = addDataCollection(t, spec, workspaceId, tables);
  const roleAssignment = addRuleRole(t, spec, dataCollectionRule);
  const workbook = addWorkbook(t, spec, workspaceId);
  const atRiskAlert = addLogAlert(t, 'at-risk-alert', spec.atRiskAlert, spec, workspaceId, tables);
  const silenceAlert = addLogAlert(t, 'silence-alert', spec.silenceAlert, spec, workspaceId, tables);
  return {
    spec,
    tables,
    dataCollectionEndpoint,
    dataCollectionRule,
    roleAssignment,
    workbook,
    atRiskAlert,
    silenceAlert,
    jobParameters: {
      ingestionendpoint: dataCollectionEndpoint.logsIngestion.apply((l) => l?.endpoint ?? ''),
      ingestionruleid: dataCollectionRule.immutableId.apply((i) => i ?? ''),
    },
  };
}

/** The engine's values of the runbook's ingestion references, for `bindJobParameters` (none without visibility). */
export function ingestionReferences(
  visibility: EstateVisibility | undefined,
): Partial<Record<RunbookParameterReference, pulumi.Output<string>>> {
  return visibility
    ? {
        'dataCollectionEndpoint.logsIngestionEndpoint': visibility.jobParameters.ingestionendpoint,
        'dataCollectionRule.immutableId': visibility.jobParameters.ingestionruleid,
      }
    : {};
}

/** The custom tables, in the workspace. */
function addTables(
  t: VisibilityTarget,
  spec: EstateVisibilitySpec<Ref>,
  workspaceId: pulumi.Output<string>,
): Table[] {
  // azure-native addresses a table by the workspace's group and name in the provider's subscription:
  // the workspace provider's, which is the workspace's.
  const workspace = workspaceId.apply(workspaceIdParts);
  return spec.tables.map(
    (table) =>
      new Table(
        `${t.name}-table-${table.name}`,
        {
          resourceGroupName: workspace.resourceGroupName,
          workspaceName: workspace.name,
          tableName: table.name,
          schema: {
            name: table.name,
            description: table.description,
            columns: table.columns.map((c) => ({
              name: c.name,
              type: TABLE_COLUMN_TYPES[c.type],
              description: c.description,
            })),
          },
        },
        { parent: t.parent, provider: t.workspaceProvider },
      ),
  );
}

/** The data collection endpoint and the rule whose streams feed the tables. */
function addDataCollection(
  t: VisibilityTarget,
  spec: EstateVisibilitySpec<Ref>,
  workspaceId: pulumi.Output<string>,
  tables: readonly Table[],
): { dataCollectionEndpoint: DataCollectionEndpoint; dataCollectionRule: DataCollectionRule } {
  const { resourceGroupName, tags, parent } = t;
  const dataCollectionEndpoint = new DataCollectionEndpoint(
    `${t.name}-dce`,
    {
      resourceGroupName,
      dataCollectionEndpointName: spec.dataCollectionEndpoint.name,
      location: spec.location,
      description: spec.dataCollectionEndpoint.description,
      networkAcls: {
        publicNetworkAccess: spec.dataCollectionEndpoint.publicNetworkAccessEnabled ? 'Enabled' : 'Disabled',
      },
      tags,
    },
    { parent },
  );
  const destination = spec.dataCollectionRule.destinationName;
  const dataCollectionRule = new DataCollectionRule(
    `${t.name}-dcr`,
    {
      resourceGroupName,
      dataCollectionRuleName: spec.dataCollectionRule.name,
      location: spec.location,
      description: spec.dataCollectionRule.description,
      dataCollectionEndpointId: dataCollectionEndpoint.id,
      destinations: { logAnalytics: [{ name: destination, workspaceResourceId: workspaceId }] },
      streamDeclarations: Object.fromEntries(
        spec.tables.map((table) => [
          table.stream,
          { columns: table.columns.map((c) => ({ name: c.name, type: c.type })) },
        ]),
      ),
      dataFlows: spec.tables.map((table) => ({
        streams: [table.stream],
        destinations: [destination],
        outputStream: table.stream,
        transformKql: spec.dataCollectionRule.transformKql,
      })),
      tags,
    },
    // A data flow's output stream must name a table that exists.
    { parent, dependsOn: [...tables] },
  );
  return { dataCollectionEndpoint, dataCollectionRule };
}

/** Monitoring Metrics Publisher for the account's identity, on the rule only. */
function addRuleRole(
  t: VisibilityTarget,
  spec: EstateVisibilitySpec<Ref>,
  dataCollectionRule: DataCollectionRule,
): RoleAssignment {
  const ra = spec.roleAssignment;
  return new RoleAssignment(
    `${t.name}-dcr-role`,
    {
      roleAssignmentName: ra.name,
      scope: dataCollectionRule.id,
      roleDefinitionId: roleDefinitionId(
        roleDefinitionScope({ kind: 'dataCollectionRule' }),
        ra.roleDefinitionGuid,
        dataCollectionRule.id,
      ),
      principalId: t.principalId,
      principalType: ra.principalType,
      description: roleAssignmentDescription('dataCollectionRule'),
    },
    { parent: t.parent },
  );
}

/** The workbook on the workspace. */
function addWorkbook(
  t: VisibilityTarget,
  spec: EstateVisibilitySpec<Ref>,
  workspaceId: pulumi.Output<string>,
): Workbook {
  const wb = spec.workbook;
  return new Workbook(
    `${t.name}-workbook`,
    {
      resourceGroupName: t.resourceGroupName,
      resourceName: wb.name,
      location: spec.location,
      kind: wb.kind,
      category: wb.category,
      displayName: wb.displayName,
      sourceId: wb.sourceId,
      serializedData: workspaceId.apply(estateWorkbookSerializedData),
      tags: t.tags,
    },
    { parent: t.parent },
  );
}

/** A log alert on the workspace (`<name>-<suffix>`), split per vault by its dimensions, unless switched off. */
function addLogAlert(
  t: VisibilityTarget,
  suffix: string,
  alert: EstateLogAlertSpec<Ref> | undefined,
  spec: EstateVisibilitySpec<Ref>,
  workspaceId: pulumi.Output<string>,
  tables: readonly Table[],
): ScheduledQueryRule | undefined {
  if (!alert) return undefined;
  return new ScheduledQueryRule(
    `${t.name}-${suffix}`,
    {
      resourceGroupName: t.resourceGroupName,
      ruleName: alert.name,
      location: spec.location,
      kind: 'LogAlert',
      displayName: alert.displayName,
      description: alert.description,
      enabled: alert.enabled,
      severity: alert.severity,
      evaluationFrequency: alert.evaluationFrequency,
      windowSize: alert.windowSize,
      autoMitigate: alert.autoMitigate,
      scopes: [workspaceId],
      criteria: {
        allOf: [
          {
            query: alert.query,
            timeAggregation: alert.timeAggregation,
            operator: alert.operator,
            threshold: alert.threshold,
            dimensions: alert.dimensions.map((d) => ({
              name: d.name,
              operator: d.operator,
              values: [...d.values],
            })),
            failingPeriods: {
              numberOfEvaluationPeriods: alert.failingPeriods.numberOfEvaluationPeriods,
              minFailingPeriodsToAlert: alert.failingPeriods.minFailingPeriodsToAlert,
            },
          },
        ],
      },
      actions: alert.actionGroupIds.length > 0 ? { actionGroups: [...alert.actionGroupIds] } : undefined,
      tags: t.tags,
    },
    // The query names the tables: Azure checks it against the workspace when the rule is created.
    { parent: t.parent, dependsOn: [...tables] },
  );
}
