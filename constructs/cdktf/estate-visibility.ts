import { ApplicationInsightsWorkbook } from '@cdktf/provider-azurerm/lib/application-insights-workbook';
import { LogAnalyticsWorkspaceTableCustomLog } from '@cdktf/provider-azurerm/lib/log-analytics-workspace-table-custom-log';
import { MonitorDataCollectionEndpoint } from '@cdktf/provider-azurerm/lib/monitor-data-collection-endpoint';
import { MonitorDataCollectionRule } from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule';
import { MonitorScheduledQueryRulesAlertV2 } from '@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Construct } from 'constructs';
import {
  estateWorkbookSerializedData,
  TABLE_COLUMN_TYPES,
  roleAssignmentDescription,
  roleDefinitionScope,
  type EstateLogAlertSpec,
  type EstateVisibilitySpec,
  type ResourceRef,
  type RunbookParameterReference,
} from '../domain/internal';
import { roleDefinitionId } from './shared';

/** The runbook's ingestion parameters as Terraform references (lower-case keys, as Automation stores them). */
export interface IngestionParameters {
  readonly ingestionendpoint: string;
  readonly ingestionruleid: string;
}

/**
 * What `visibility` declares (construct id `Visibility` under the automation): the two custom
 * tables in the workspace, the data collection endpoint and rule, the identity's role on the rule,
 * the workbook, the at-risk alert and the silence alert (each split per vault).
 */
export class EstateVisibility extends Construct {
  readonly spec: EstateVisibilitySpec;
  /** By table name: `AsrMobilityAgent_CL`, `AsrMobilityRun_CL`. */
  readonly tables: readonly LogAnalyticsWorkspaceTableCustomLog[];
  readonly dataCollectionEndpoint: MonitorDataCollectionEndpoint;
  readonly dataCollectionRule: MonitorDataCollectionRule;
  /** Monitoring Metrics Publisher for the account's identity, on the rule only. */
  readonly roleAssignment: RoleAssignment;
  readonly workbook: ApplicationInsightsWorkbook;
  /** Absent when `atRiskAlertEnabled` is false. */
  readonly atRiskAlert?: MonitorScheduledQueryRulesAlertV2;
  /** Absent when `silenceAlertEnabled` is false. */
  readonly silenceAlert?: MonitorScheduledQueryRulesAlertV2;
  /** The runbook's `IngestionEndpoint` and `IngestionRuleId`, as references. */
  readonly jobParameters: IngestionParameters;

  constructor(
    scope: Construct,
    id: string,
    spec: EstateVisibilitySpec,
    target: {
      readonly resourceGroupName: ResourceRef;
      readonly principalId: string;
      readonly tags: Record<string, string> | undefined;
    },
  ) {
    super(scope, id);
    this.spec = spec;
    const workspaceId = spec.workspaceResourceId;
    const { resourceGroupName, tags } = target;

    this.tables = spec.tables.map(
      (t) =>
        new LogAnalyticsWorkspaceTableCustomLog(this, `Table-${t.name}`, {
          name: t.name,
          workspaceId,
          description: t.description,
          column: t.columns.map((c) => ({
            name: c.name,
            type: TABLE_COLUMN_TYPES[c.type],
            description: c.description,
          })),
        }),
    );

    this.dataCollectionEndpoint = new MonitorDataCollectionEndpoint(this, 'DataCollectionEndpoint', {
      name: spec.dataCollectionEndpoint.name,
      resourceGroupName,
      location: spec.location,
      description: spec.dataCollectionEndpoint.description,
      publicNetworkAccessEnabled: spec.dataCollectionEndpoint.publicNetworkAccessEnabled,
      tags,
    });

    const destination = spec.dataCollectionRule.destinationName;
    this.dataCollectionRule = new MonitorDataCollectionRule(this, 'DataCollectionRule', {
      name: spec.dataCollectionRule.name,
      resourceGroupName,
      location: spec.location,
      description: spec.dataCollectionRule.description,
      dataCollectionEndpointId: this.dataCollectionEndpoint.id,
      destinations: { logAnalytics: [{ name: destination, workspaceResourceId: workspaceId }] },
      streamDeclaration: spec.tables.map((t) => ({
        streamName: t.stream,
        column: t.columns.map((c) => ({ name: c.name, type: c.type })),
      })),
      dataFlow: spec.tables.map((t) => ({
        streams: [t.stream],
        destinations: [destination],
        outputStream: t.stream,
        transformKql: spec.dataCollectionRule.transformKql,
      })),
      tags,
      // A data flow's output stream must name a table that exists.
      dependsOn: [...this.tables],
    });

    const ra = spec.roleAssignment;
    this.roleAssignment = new RoleAssignment(this, `RoleAssignment-${ra.name}`, {
      name: ra.name,
      scope: this.dataCollectionRule.id,
      roleDefinitionId: roleDefinitionId(
        roleDefinitionScope({ kind: 'dataCollectionRule' }),
        ra.roleDefinitionGuid,
        this.dataCollectionRule.id,
      ),
      principalId: target.principalId,
      principalType: ra.principalType,
      // A fresh identity may not have replicated in Entra ID yet.
      skipServicePrincipalAadCheck: true,
      description: roleAssignmentDescription('dataCollectionRule'),
    });

    const wb = spec.workbook;
    this.workbook = new ApplicationInsightsWorkbook(this, 'Workbook', {
      name: wb.name,
      resourceGroupName,
      location: spec.location,
      displayName: wb.displayName,
      category: wb.category,
      sourceId: wb.sourceId,
      dataJson: estateWorkbookSerializedData(workspaceId),
      tags,
    });

    this.atRiskAlert = addLogAlert(this, 'AtRiskAlert', spec.atRiskAlert, spec, target, this.tables);
    this.silenceAlert = addLogAlert(this, 'SilenceAlert', spec.silenceAlert, spec, target, this.tables);

    this.jobParameters = {
      ingestionendpoint: this.dataCollectionEndpoint.logsIngestionEndpoint,
      ingestionruleid: this.dataCollectionRule.immutableId,
    };
  }
}

/** Declares `visibility` under `scope` (construct id `Visibility`), or nothing when it is not given. */
export function addEstateVisibility(
  scope: Construct,
  spec: EstateVisibilitySpec | undefined,
  target: ConstructorParameters<typeof EstateVisibility>[3],
): EstateVisibility | undefined {
  return spec ? new EstateVisibility(scope, 'Visibility', spec, target) : undefined;
}

/** The engine's values of the runbook's ingestion references, for `bindJobParameters` (none without visibility). */
export function ingestionReferences(
  visibility: EstateVisibility | undefined,
): Partial<Record<RunbookParameterReference, string>> {
  return visibility
    ? {
        'dataCollectionEndpoint.logsIngestionEndpoint': visibility.jobParameters.ingestionendpoint,
        'dataCollectionRule.immutableId': visibility.jobParameters.ingestionruleid,
      }
    : {};
}

/**
 * A log alert on the workspace (construct id `AtRiskAlert` or `SilenceAlert`), split per vault by its
 * dimensions, unless switched off.
 */
function addLogAlert(
  scope: Construct,
  id: string,
  alert: EstateLogAlertSpec | undefined,
  spec: EstateVisibilitySpec,
  target: { readonly resourceGroupName: ResourceRef; readonly tags: Record<string, string> | undefined },
  tables: readonly LogAnalyticsWorkspaceTableCustomLog[],
): MonitorScheduledQueryRulesAlertV2 | undefined {
  if (!alert) return undefined;
  return new MonitorScheduledQueryRulesAlertV2(scope, id, {
    name: alert.name,
    resourceGroupName: target.resourceGroupName,
    location: spec.location,
    displayName: alert.displayName,
    description: alert.description,
    enabled: alert.enabled,
    severity: alert.severity,
    evaluationFrequency: alert.evaluationFrequency,
    windowDuration: alert.windowSize,
    autoMitigationEnabled: alert.autoMitigate,
    scopes: [spec.workspaceResourceId],
    criteria: [
      {
        query: alert.query,
        timeAggregationMethod: alert.timeAggregation,
        operator: alert.operator,
        threshold: alert.threshold,
        dimension: alert.dimensions.map((d) => ({
          name: d.name,
          operator: d.operator,
          values: [...d.values],
        })),
        failingPeriods: {
          numberOfEvaluationPeriods: alert.failingPeriods.numberOfEvaluationPeriods,
          minimumFailingPeriodsToTriggerAlert: alert.failingPeriods.minFailingPeriodsToAlert,
        },
      },
    ],
    action: alert.actionGroupIds.length > 0 ? { actionGroups: [...alert.actionGroupIds] } : undefined,
    tags: target.tags,
    // The query names the tables: Azure checks it against the workspace when the rule is created.
    dependsOn: [...tables],
  });
}
