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
  workspaceIdParts,
  type EstateVisibilitySpec,
} from '../domain/internal';
import type { Ref } from './shared';

/**
 * What `visibility` registers, as children of the automation's component: the two custom tables in
 * the workspace (`<name>-table-<table>`), the data collection endpoint (`<name>-dce`) and rule
 * (`<name>-dcr`), the identity's role on the rule (`<name>-dcr-role`), the workbook
 * (`<name>-workbook`) and the at-risk alert (`<name>-at-risk-alert`).
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
  /** The runbook's `IngestionEndpoint` and `IngestionRuleId` (lower-case keys, as Automation stores them). */
  readonly jobParameters: {
    readonly ingestionendpoint: pulumi.Output<string>;
    readonly ingestionruleid: pulumi.Output<string>;
  };
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
  },
): EstateVisibility | undefined {
  if (!spec) return undefined;
  const { resourceGroupName, tags } = target;
  const workspaceId = pulumi.output(spec.workspaceResourceId);
  // azure-native addresses a table by the workspace's group and name (in the provider's subscription).
  const workspace = workspaceId.apply(workspaceIdParts);

  const tables = spec.tables.map(
    (t) =>
      new Table(
        `${name}-table-${t.name}`,
        {
          resourceGroupName: workspace.resourceGroupName,
          workspaceName: workspace.name,
          tableName: t.name,
          schema: {
            name: t.name,
            description: t.description,
            columns: t.columns.map((c) => ({
              name: c.name,
              type: TABLE_COLUMN_TYPES[c.type],
              description: c.description,
            })),
          },
        },
        { parent },
      ),
  );

  const dataCollectionEndpoint = new DataCollectionEndpoint(
    `${name}-dce`,
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
    `${name}-dcr`,
    {
      resourceGroupName,
      dataCollectionRuleName: spec.dataCollectionRule.name,
      location: spec.location,
      description: spec.dataCollectionRule.description,
      dataCollectionEndpointId: dataCollectionEndpoint.id,
      destinations: { logAnalytics: [{ name: destination, workspaceResourceId: workspaceId }] },
      streamDeclarations: Object.fromEntries(
        spec.tables.map((t) => [
          t.stream,
          { columns: t.columns.map((c) => ({ name: c.name, type: c.type })) },
        ]),
      ),
      dataFlows: spec.tables.map((t) => ({
        streams: [t.stream],
        destinations: [destination],
        outputStream: t.stream,
        transformKql: spec.dataCollectionRule.transformKql,
      })),
      tags,
    },
    // A data flow's output stream must name a table that exists.
    { parent, dependsOn: tables },
  );

  const ra = spec.roleAssignment;
  const ruleSubscription = dataCollectionRule.id.apply((id) => id.split('/')[2] ?? '');
  const roleAssignment = new RoleAssignment(
    `${name}-dcr-role`,
    {
      roleAssignmentName: ra.name,
      scope: dataCollectionRule.id,
      roleDefinitionId: pulumi.interpolate`/subscriptions/${ruleSubscription}/providers/Microsoft.Authorization/roleDefinitions/${ra.roleDefinitionGuid}`,
      principalId: target.principalId,
      principalType: ra.principalType,
      description: "Lets the Site Recovery auto-update runbook send its nightly rows to this rule's streams.",
    },
    { parent },
  );

  const wb = spec.workbook;
  const workbook = new Workbook(
    `${name}-workbook`,
    {
      resourceGroupName,
      resourceName: wb.name,
      location: spec.location,
      kind: wb.kind,
      category: wb.category,
      displayName: wb.displayName,
      sourceId: wb.sourceId,
      serializedData: workspaceId.apply(estateWorkbookSerializedData),
      tags,
    },
    { parent },
  );

  const alert = spec.atRiskAlert;
  const atRiskAlert = alert
    ? new ScheduledQueryRule(
        `${name}-at-risk-alert`,
        {
          resourceGroupName,
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
                failingPeriods: {
                  numberOfEvaluationPeriods: alert.failingPeriods.numberOfEvaluationPeriods,
                  minFailingPeriodsToAlert: alert.failingPeriods.minFailingPeriodsToAlert,
                },
              },
            ],
          },
          actions: alert.actionGroupIds.length > 0 ? { actionGroups: [...alert.actionGroupIds] } : undefined,
          tags,
        },
        // The query names the tables: Azure checks it against the workspace when the rule is created.
        { parent, dependsOn: tables },
      )
    : undefined;

  return {
    spec,
    tables,
    dataCollectionEndpoint,
    dataCollectionRule,
    roleAssignment,
    workbook,
    atRiskAlert,
    jobParameters: {
      ingestionendpoint: dataCollectionEndpoint.logsIngestion.apply((l) => l?.endpoint ?? ''),
      ingestionruleid: dataCollectionRule.immutableId.apply((i) => i ?? ''),
    },
  };
}
