import { createHash } from 'node:crypto';
import type { PlannedResource } from '../../constructs/domain/internal';
import { armType, physicalName, type GraphNode } from '../../stacks/pulumi/offline';
import { ARM_TYPE, terraformTemplateText, type TfJson } from '../cdktf/helpers';

/**
 * Both engines' output, brought to the shape of the domain plan: (ARM type, name, key properties),
 * with references written symbolically (`<vault.id>`, `<automationAccount.id>`, ...) and other
 * references replaced by the referenced resource's name.
 */
type Props = Record<string, unknown>;
const drop = (o: Props): Props => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const last = (id: unknown): string => String(id).replace(/\/+$/, '').split('/').pop() ?? '';
const sha256 = (text: string): string =>
  createHash('sha256').update(text, 'utf8').digest('hex').toUpperCase();

export function sortPlan(plan: readonly PlannedResource[]): PlannedResource[] {
  return [...plan]
    .map((p) => ({ ...p, properties: drop({ ...p.properties }) }))
    .sort((a, b) => `${a.type} ${a.name}`.localeCompare(`${b.type} ${b.name}`));
}

// ---------------------------------------------------------------- CDK for Terraform (azurerm)

export function normalizeCdktf(doc: TfJson): PlannedResource[] {
  const ref = (value: unknown): unknown => {
    if (typeof value !== 'string') return value;
    const m = /^\$\{([a-z_0-9]+)\.([A-Za-z0-9_-]+)\.(.+)\}$/.exec(value);
    if (!m) return value;
    const [, type, id, attr] = m;
    if (type === 'azurerm_recovery_services_vault' && attr === 'id') return '<vault.id>';
    if (type === 'azurerm_automation_account' && attr === 'id') return '<automationAccount.id>';
    if (type === 'azurerm_automation_account' && attr === 'identity[0].principal_id')
      return '<automationAccount.identity.principalId>';
    if (type === 'azurerm_monitor_data_collection_endpoint' && attr === 'logs_ingestion_endpoint')
      return '<dataCollectionEndpoint.logsIngestionEndpoint>';
    if (type === 'azurerm_monitor_data_collection_rule' && attr === 'immutable_id')
      return '<dataCollectionRule.immutableId>';
    if (type === 'azurerm_monitor_data_collection_rule' && attr === 'id') return '<dataCollectionRule.id>';
    return String(doc.resource[type!]![id!]!.name);
  };
  const out: PlannedResource[] = [];
  for (const [type, byId] of Object.entries(doc.resource)) {
    for (const r of Object.values(byId) as Props[]) {
      const t = ARM_TYPE[type]!;
      const p = (props: Props, name = String(r.name)) => out.push({ type: t, name, properties: drop(props) });
      switch (type) {
        case 'azurerm_recovery_services_vault':
          p({
            location: r.location,
            sku: r.sku,
            storageModeType: r.storage_mode_type,
            softDeleteEnabled: r.soft_delete_enabled,
            publicNetworkAccessEnabled: r.public_network_access_enabled,
            immutability: r.immutability,
            identity: (r.identity as Props | undefined)?.type ?? 'None',
            classicVmwareReplicationEnabled: r.classic_vmware_replication_enabled,
          });
          break;
        case 'azurerm_management_lock':
          p({ level: r.lock_level, scope: ref(r.scope) });
          break;
        case 'azurerm_monitor_diagnostic_setting': {
          const logs = (r.enabled_log as Props[] | undefined) ?? [];
          p({
            target: ref(r.target_resource_id),
            workspaceResourceId: r.log_analytics_workspace_id,
            storageAccountResourceId: r.storage_account_id,
            eventHubAuthorizationRuleResourceId: r.eventhub_authorization_rule_id,
            logCategories: logs.filter((l) => l.category).map((l) => l.category),
            logCategoryGroups: logs.filter((l) => l.category_group).map((l) => l.category_group),
            metricCategories: ((r.enabled_metric as Props[] | undefined) ?? []).map((m) => m.category),
          });
          break;
        }
        case 'azurerm_monitor_metric_alert': {
          const [c] = r.criteria as Props[];
          p({
            location: 'global', // azurerm always sends "global" and has no location argument
            scopes: (r.scopes as unknown[]).map(ref),
            enabled: r.enabled,
            severity: r.severity,
            evaluationFrequency: r.frequency,
            windowSize: r.window_size,
            autoMitigate: r.auto_mitigate,
            criterion: {
              metricNamespace: c!.metric_namespace,
              metricName: c!.metric_name,
              aggregation: c!.aggregation,
              operator: c!.operator,
              threshold: c!.threshold,
              dimensions: c!.dimension,
            },
            actionGroupIds: ((r.action as Props[] | undefined) ?? []).map((a) => a.action_group_id),
          });
          break;
        }
        case 'azurerm_automation_account':
          p({
            location: r.location,
            sku: r.sku_name,
            identity: (r.identity as Props).type,
            localAuthenticationEnabled: r.local_authentication_enabled,
            publicNetworkAccessEnabled: r.public_network_access_enabled,
          });
          break;
        case 'azurerm_automation_runtime_environment':
          p({
            location: r.location,
            language: r.runtime_language,
            version: r.runtime_version,
            defaultPackages: r.runtime_default_packages,
          });
          break;
        case 'azurerm_automation_runbook': {
          const link = r.publish_content_link as { hash: { value: string } } | undefined;
          p({
            runbookType: r.runbook_type,
            runtimeEnvironment: ref(r.runtime_environment_name),
            // Hashed as Terraform reads it (escapes undone): what Azure receives.
            contentSha256: link ? link.hash.value : sha256(terraformTemplateText(String(r.content))),
          });
          break;
        }
        case 'azurerm_automation_schedule':
          p({ frequency: r.frequency, interval: r.interval, timeZone: r.timezone, startTime: r.start_time });
          break;
        case 'azurerm_automation_job_schedule':
          p(
            {
              runbook: ref(r.runbook_name),
              schedule: ref(r.schedule_name),
              parameters: Object.fromEntries(
                Object.entries(r.parameters as Props).map(([k, v]) => [k, ref(v)]),
              ),
            },
            String(r.job_schedule_id),
          );
          break;
        case 'azurerm_role_definition': {
          const [perm] = r.permissions as Props[];
          p(
            {
              roleName: r.name,
              scope: r.scope,
              assignableScopes: r.assignable_scopes,
              permissions: [{ actions: perm!.actions, notActions: perm!.not_actions }],
            },
            String(r.role_definition_id),
          );
          break;
        }
        case 'azurerm_role_assignment':
          p({
            roleDefinitionGuid: last(r.role_definition_id),
            scope: ref(r.scope),
            principalId: ref(r.principal_id),
            principalType: r.principal_type,
          });
          break;
        case 'azurerm_site_recovery_fabric':
          p({ location: r.location, instanceType: 'Azure' });
          break;
        case 'azurerm_site_recovery_protection_container':
          p({ fabric: ref(r.recovery_fabric_name) });
          break;
        case 'azurerm_site_recovery_replication_policy':
          p({
            instanceType: 'A2A',
            recoveryPointRetentionInMinutes: r.recovery_point_retention_in_minutes,
            applicationConsistentSnapshotFrequencyInMinutes:
              r.application_consistent_snapshot_frequency_in_minutes,
          });
          break;
        case 'azurerm_site_recovery_vmware_replication_policy':
          p({
            instanceType: 'InMageRcm',
            recoveryPointRetentionInMinutes: r.recovery_point_retention_in_minutes,
            applicationConsistentSnapshotFrequencyInMinutes:
              r.application_consistent_snapshot_frequency_in_minutes,
          });
          break;
        case 'azurerm_site_recovery_protection_container_mapping': {
          const u = r.automatic_update as Props;
          p({
            sourceContainer: ref(r.recovery_source_protection_container_name),
            targetContainer: ref(r.recovery_target_protection_container_id),
            policy: ref(r.recovery_replication_policy_id),
            agentAutoUpdateStatus: u.enabled ? 'Enabled' : 'Disabled',
            automationAccountArmId: u.enabled ? ref(u.automation_account_id) : undefined,
            automationAccountAuthenticationType: u.enabled ? u.authentication_type : undefined,
          });
          break;
        }
        case 'azurerm_site_recovery_vmware_replication_policy_association':
          p({ policy: ref(r.policy_id) });
          break;
        case 'azurerm_site_recovery_network_mapping':
          p({
            sourceFabric: ref(r.source_recovery_fabric_name),
            sourceNetworkResourceId: r.source_network_id,
            targetNetworkResourceId: r.target_network_id,
          });
          break;
        case 'azurerm_log_analytics_workspace_table_custom_log':
          p({
            workspace: r.workspace_id,
            columns: (r.column as Props[]).map((c) => ({ name: c.name, type: c.type })),
          });
          break;
        case 'azurerm_monitor_data_collection_endpoint':
          p({ location: r.location, publicNetworkAccessEnabled: r.public_network_access_enabled });
          break;
        case 'azurerm_monitor_data_collection_rule': {
          const d = r.destinations as { log_analytics: Props[] };
          p({
            location: r.location,
            dataCollectionEndpoint: ref(r.data_collection_endpoint_id),
            destinations: d.log_analytics.map((l) => ({
              name: l.name,
              workspaceResourceId: l.workspace_resource_id,
            })),
            streamDeclarations: (r.stream_declaration as Props[]).map((sd) => ({
              stream: sd.stream_name,
              columns: sd.column,
            })),
            dataFlows: (r.data_flow as Props[]).map((f) => ({
              streams: f.streams,
              destinations: f.destinations,
              outputStream: f.output_stream,
              transformKql: f.transform_kql,
            })),
          });
          break;
        }
        case 'azurerm_application_insights_workbook':
          p({
            location: r.location,
            kind: 'shared', // azurerm always creates shared workbooks and has no kind argument
            category: r.category,
            displayName: r.display_name,
            sourceId: r.source_id,
            serializedData: r.data_json,
          });
          break;
        case 'azurerm_monitor_scheduled_query_rules_alert_v2': {
          const [c] = r.criteria as Props[];
          const f = c!.failing_periods as Props;
          p({
            location: r.location,
            scopes: r.scopes,
            enabled: r.enabled,
            severity: r.severity,
            evaluationFrequency: r.evaluation_frequency,
            windowSize: r.window_duration,
            autoMitigate: r.auto_mitigation_enabled,
            criterion: {
              query: c!.query,
              timeAggregation: c!.time_aggregation_method,
              operator: c!.operator,
              threshold: c!.threshold,
              dimensions: ((c!.dimension as Props[] | undefined) ?? []).map((d) => ({
                name: d.name,
                operator: d.operator,
                values: d.values,
              })),
              numberOfEvaluationPeriods: f.number_of_evaluation_periods,
              minFailingPeriodsToAlert: f.minimum_failing_periods_to_trigger_alert,
            },
            actionGroupIds: ((r.action as Props | undefined)?.action_groups as unknown[] | undefined) ?? [],
          });
          break;
        }
        default:
          throw new Error(`normalizeCdktf: no rule for ${type}`);
      }
    }
  }
  return out.sort((a, b) => `${a.type} ${a.name}`.localeCompare(`${b.type} ${b.name}`));
}

// ---------------------------------------------------------------- Pulumi (azure-native)

const PRINCIPAL_PLACEHOLDER = '11111111-1111-1111-1111-111111111111';
/** The dynamic resource that publishes a runbook's draft content (constructs/pulumi/runbook-content.ts). */
const RUNBOOK_CONTENT = 'pulumi-nodejs:dynamic/asr-mobility-autoupdate:RunbookContent';

export function normalizePulumi(nodes: readonly GraphNode[]): PlannedResource[] {
  const custom = nodes.filter((n) => n.type.startsWith('azure-native:'));
  const find = (type: string) => custom.find((n) => n.type === type);
  const vault = find('azure-native:recoveryservices:Vault');
  const account = find('azure-native:automation:AutomationAccount');
  const idOf = (n: GraphNode | undefined) =>
    n ? `/providers/${armType(n.type, n.inputs)}/${physicalName(n.type, n.inputs, n.name)}` : undefined;
  const vaultIdSuffix = idOf(vault);
  const accountIdSuffix = idOf(account);
  const dce = find('azure-native:monitor:DataCollectionEndpoint');
  const dcr = find('azure-native:monitor:DataCollectionRule');
  const dcrIdSuffix = idOf(dcr);
  const ref = (value: unknown): unknown => {
    if (typeof value !== 'string') return value;
    if (value === PRINCIPAL_PLACEHOLDER) return '<automationAccount.identity.principalId>';
    // The mocks' answers for the endpoint's URI and the rule's immutable id (stacks/pulumi/offline.ts).
    if (
      dce &&
      value ===
        `https://${physicalName(dce.type, dce.inputs, dce.name)}.westeurope-1.ingest.monitor.azure.com`
    )
      return '<dataCollectionEndpoint.logsIngestionEndpoint>';
    if (dcr && /^dcr-[0-9a-f]{32}$/.test(value)) return '<dataCollectionRule.immutableId>';
    if (
      dcrIdSuffix &&
      value.startsWith('/subscriptions/00000000-0000-0000-0000-000000000000/') &&
      value.endsWith(dcrIdSuffix)
    )
      return '<dataCollectionRule.id>';
    if (
      vaultIdSuffix &&
      value.startsWith('/subscriptions/00000000-0000-0000-0000-000000000000/') &&
      value.endsWith(vaultIdSuffix)
    )
      return '<vault.id>';
    if (
      accountIdSuffix &&
      value.startsWith('/subscriptions/00000000-0000-0000-0000-000000000000/') &&
      value.endsWith(accountIdSuffix)
    )
      return '<automationAccount.id>';
    // A mocked id of another registered resource stands for its name; a literal id (an existing vault's) stays.
    if (
      value.startsWith('/subscriptions/00000000-0000-0000-0000-000000000000/') &&
      custom.some((c) => value.endsWith(idOf(c)!))
    )
      return last(value);
    return value;
  };
  const out: PlannedResource[] = [];
  for (const n of custom) {
    const i = n.inputs as Props & { properties?: Props };
    const t = armType(n.type, i)!;
    const name = physicalName(n.type, i, n.name);
    const p = (props: Props) => out.push({ type: t, name, properties: drop(props) });
    const psi = (i.properties?.providerSpecificInput ?? {}) as Props;
    switch (n.type) {
      case 'azure-native:recoveryservices:Vault': {
        const props = i.properties as Props & {
          redundancySettings: Props;
          securitySettings: { softDeleteSettings: Props; immutabilitySettings: Props };
        };
        p({
          location: i.location,
          sku: (i.sku as Props).name,
          storageModeType: props.redundancySettings.standardTierStorageRedundancy,
          softDeleteEnabled: props.securitySettings.softDeleteSettings.softDeleteState === 'Enabled',
          publicNetworkAccessEnabled: props.publicNetworkAccess === 'Enabled',
          immutability: props.securitySettings.immutabilitySettings.state,
          identity: (i.identity as Props | undefined)?.type ?? 'None',
        });
        break;
      }
      case 'azure-native:authorization:ManagementLockByScope':
        p({ level: i.level, scope: ref(i.scope) });
        break;
      case 'azure-native:monitor:DiagnosticSetting': {
        const logs = (i.logs as Props[] | undefined) ?? [];
        p({
          target: ref(i.resourceUri),
          workspaceResourceId: i.workspaceId,
          storageAccountResourceId: i.storageAccountId,
          eventHubAuthorizationRuleResourceId: i.eventHubAuthorizationRuleId,
          logCategories: logs.filter((l) => l.category).map((l) => l.category),
          logCategoryGroups: logs.filter((l) => l.categoryGroup).map((l) => l.categoryGroup),
          metricCategories: ((i.metrics as Props[] | undefined) ?? []).map((m) => m.category),
        });
        break;
      }
      case 'azure-native:monitor:MetricAlert': {
        const criteria = i.criteria as { allOf: Props[] };
        const [c] = criteria.allOf;
        p({
          location: i.location,
          scopes: (i.scopes as unknown[]).map(ref),
          enabled: i.enabled,
          severity: i.severity,
          evaluationFrequency: i.evaluationFrequency,
          windowSize: i.windowSize,
          autoMitigate: i.autoMitigate,
          criterion: {
            metricNamespace: c!.metricNamespace,
            metricName: c!.metricName,
            aggregation: c!.timeAggregation,
            operator: c!.operator,
            threshold: c!.threshold,
            dimensions: c!.dimensions,
          },
          actionGroupIds: ((i.actions as Props[] | undefined) ?? []).map((a) => a.actionGroupId),
        });
        break;
      }
      case 'azure-native:automation:AutomationAccount':
        p({
          location: i.location,
          sku: (i.sku as Props).name,
          identity: (i.identity as Props).type,
          localAuthenticationEnabled: !i.disableLocalAuth,
          publicNetworkAccessEnabled: i.publicNetworkAccess,
        });
        break;
      case 'azure-native:automation:RuntimeEnvironment':
        p({
          location: i.location,
          language: i.language,
          version: i.version,
          defaultPackages: i.defaultPackages,
        });
        break;
      case 'azure-native:automation:Runbook': {
        // Published from a link (the user's, or the storage hosting's), or as an empty draft whose
        // content RunbookContent puts and publishes through Resource Manager.
        const link = i.publishContentLink as Props | undefined;
        const plain = link ? ((link['[secret]'] ?? link) as { contentHash: { value: string } }) : undefined;
        const published = nodes.find(
          (c) => c.type === RUNBOOK_CONTENT && c.parent === n.parent && c.name === `${n.name}-content`,
        );
        p({
          runbookType: i.runbookType,
          runtimeEnvironment: i.runtimeEnvironment,
          contentSha256: plain
            ? plain.contentHash.value
            : (published?.inputs as Props | undefined)?.contentSha256,
        });
        break;
      }
      case 'azure-native:automation:Schedule':
        p({ frequency: i.frequency, interval: i.interval, timeZone: i.timeZone, startTime: i.startTime });
        break;
      case 'azure-native:automation:JobSchedule':
        p({
          runbook: (i.runbook as Props).name,
          schedule: (i.schedule as Props).name,
          parameters: Object.fromEntries(Object.entries(i.parameters as Props).map(([k, v]) => [k, ref(v)])),
        });
        break;
      case 'azure-native:authorization:RoleDefinition': {
        const [perm] = i.permissions as Props[];
        p({
          roleName: i.roleName,
          scope: i.scope,
          assignableScopes: i.assignableScopes,
          permissions: [{ actions: perm!.actions, notActions: perm!.notActions }],
        });
        break;
      }
      case 'azure-native:authorization:RoleAssignment':
        p({
          roleDefinitionGuid: last(i.roleDefinitionId),
          scope: ref(i.scope),
          principalId: ref(i.principalId),
          principalType: i.principalType,
        });
        break;
      case 'azure-native:recoveryservices:ReplicationFabric': {
        const d = (i.properties as { customDetails: Props }).customDetails;
        p({ location: d.location, instanceType: d.instanceType });
        break;
      }
      case 'azure-native:recoveryservices:ReplicationPolicy':
        p({
          instanceType: psi.instanceType,
          recoveryPointRetentionInMinutes: psi.recoveryPointHistory ?? psi.recoveryPointHistoryInMinutes,
          applicationConsistentSnapshotFrequencyInMinutes: psi.appConsistentFrequencyInMinutes,
        });
        break;
      case 'azure-native:recoveryservices:ReplicationProtectionContainerMapping': {
        const enabled = psi.agentAutoUpdateStatus === 'Enabled';
        p({
          sourceContainer: i.protectionContainerName,
          targetContainer: ref(i.properties!.targetProtectionContainerId),
          policy: ref(i.properties!.policyId),
          agentAutoUpdateStatus: psi.agentAutoUpdateStatus,
          automationAccountArmId: enabled ? ref(psi.automationAccountArmId) : undefined,
          automationAccountAuthenticationType: enabled ? psi.automationAccountAuthenticationType : undefined,
        });
        break;
      }
      case 'azure-native:recoveryservices:ReplicationNetworkMapping': {
        const props = i.properties as Props & { fabricSpecificDetails: Props };
        p({
          sourceFabric: i.fabricName,
          sourceNetworkResourceId: props.fabricSpecificDetails.primaryNetworkId,
          targetNetworkResourceId: props.recoveryNetworkId,
        });
        break;
      }
      case 'azure-native:resources:Resource':
        if (i.resourceType === 'replicationProtectionContainers')
          p({ fabric: String(i.parentResourcePath).split('/')[3] });
        else if (i.resourceType === 'replicationProtectionContainerMappings')
          p({ policy: ref(i.properties!.policyId) });
        else throw new Error(`normalizePulumi: no rule for generic ${String(i.resourceType)}`);
        break;
      case 'azure-native:operationalinsights:Table': {
        const schema = i.schema as { columns: Props[] };
        // azure-native names the workspace by group and name, not id (a listed difference).
        p({ columns: schema.columns.map((c) => ({ name: c.name, type: c.type })) });
        break;
      }
      case 'azure-native:monitor:DataCollectionEndpoint':
        p({
          location: i.location,
          publicNetworkAccessEnabled: (i.networkAcls as Props).publicNetworkAccess === 'Enabled',
        });
        break;
      case 'azure-native:monitor:DataCollectionRule': {
        const d = i.destinations as { logAnalytics: Props[] };
        p({
          location: i.location,
          dataCollectionEndpoint: ref(i.dataCollectionEndpointId),
          destinations: d.logAnalytics.map((l) => ({
            name: l.name,
            workspaceResourceId: l.workspaceResourceId,
          })),
          streamDeclarations: Object.entries(
            i.streamDeclarations as Record<string, { columns: Props[] }>,
          ).map(([stream, sd]) => ({ stream, columns: sd.columns })),
          dataFlows: (i.dataFlows as Props[]).map((f) => ({
            streams: f.streams,
            destinations: f.destinations,
            outputStream: f.outputStream,
            transformKql: f.transformKql,
          })),
        });
        break;
      }
      case 'azure-native:applicationinsights:Workbook':
        p({
          location: i.location,
          kind: i.kind,
          category: i.category,
          displayName: i.displayName,
          sourceId: i.sourceId,
          serializedData: i.serializedData,
        });
        break;
      case 'azure-native:monitor:ScheduledQueryRule': {
        const [c] = (i.criteria as { allOf: Props[] }).allOf;
        const f = c!.failingPeriods as Props;
        p({
          location: i.location,
          scopes: i.scopes,
          enabled: i.enabled,
          severity: i.severity,
          evaluationFrequency: i.evaluationFrequency,
          windowSize: i.windowSize,
          autoMitigate: i.autoMitigate,
          criterion: {
            query: c!.query,
            timeAggregation: c!.timeAggregation,
            operator: c!.operator,
            threshold: c!.threshold,
            dimensions: ((c!.dimensions as Props[] | undefined) ?? []).map((d) => ({
              name: d.name,
              operator: d.operator,
              values: d.values,
            })),
            numberOfEvaluationPeriods: f.numberOfEvaluationPeriods,
            minFailingPeriodsToAlert: f.minFailingPeriodsToAlert,
          },
          actionGroupIds: ((i.actions as Props | undefined)?.actionGroups as unknown[] | undefined) ?? [],
        });
        break;
      }
      default:
        // Anything else must be a listed difference; the parity test checks that.
        out.push({ type: t ?? n.type, name, properties: {} });
    }
  }
  return out.sort((a, b) => `${a.type} ${a.name}`.localeCompare(`${b.type} ${b.name}`));
}
