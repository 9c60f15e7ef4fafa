import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { TerraformStack } from 'cdktf';
import {
  A2AMobilityAutoUpdate,
  AutoUpdateAutomation,
  ExistingVaultsMobilityAutoUpdate,
  RecoveryVault,
  TERRAFORM_FLAVOUR,
} from '../../constructs/cdktf';
import {
  ESTATE_TABLES,
  MONITORING_METRICS_PUBLISHER_ROLE,
  WORKBOOK_FORMAT,
  AT_RISK_ALERT_QUERY,
  silenceAlertQuery,
} from '../../constructs/domain';
import { buildApp } from '../../stacks/cdktf/main';
import type { A2AStack } from '../../stacks/cdktf/stacks';
import { A2AStack as A2A } from '../../stacks/cdktf/stacks';
import { a2aProps, fixedClock, NOW, SUB, violationsOf } from '../fixtures';
import { only, resources, synth, testApp, type TfJson } from './helpers';

// Runs in both jest projects: cdktf, and cdktn (the same source mapped to the cdktn bindings).
const LAW = `/subscriptions/${SUB}/resourceGroups/rg-ops/providers/Microsoft.OperationalInsights/workspaces/law-ops`;
const AG = `/subscriptions/${SUB}/resourceGroups/rg-ops/providers/Microsoft.Insights/actionGroups/ag-ops`;
const VISIBILITY_TYPES = [
  'azurerm_application_insights_workbook',
  'azurerm_log_analytics_workspace_table_custom_log',
  'azurerm_monitor_data_collection_endpoint',
  'azurerm_monitor_data_collection_rule',
  'azurerm_monitor_scheduled_query_rules_alert_v2',
];
const key = (doc: TfJson, type: string): string => Object.keys(doc.resource[type]!)[0]!;
const ALERT = 'azurerm_monitor_scheduled_query_rules_alert_v2';
/** The log alert rule of that name. */
const logAlert = (doc: TfJson, name: string): Record<string, unknown> => {
  const found = resources(doc, ALERT).filter((r) => r.name === name);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const PER_VAULT = [{ name: 'VaultId', operator: 'Include', values: ['*'] }];

function withWorkspace(
  visibility: Record<string, unknown> = {},
  alerts: Record<string, unknown> = {},
): TfJson {
  return synth(
    new A2A(
      testApp(),
      'a2a',
      a2aProps({
        automation: {
          clock: fixedClock,
          alerts: { actionGroupIds: [AG], ...alerts },
          visibility: { workspaceResourceId: LAW, ...visibility },
        },
      }),
    ),
  );
}

describe(`estate visibility (${TERRAFORM_FLAVOUR.name})`, () => {
  const doc = withWorkspace();

  it('declares the two custom tables with the domain schema, in the workspace given', () => {
    const tables = resources(doc, 'azurerm_log_analytics_workspace_table_custom_log');
    expect(tables.map((t) => t.name)).toEqual(['AsrMobilityAgent_CL', 'AsrMobilityRun_CL']);
    for (const [i, t] of tables.entries()) {
      expect(t.workspace_id).toBe(LAW);
      expect((t.column as { name: string; type: string }[]).map((c) => [c.name, c.type])).toEqual(
        ESTATE_TABLES[i]!.columns.map((c) => [c.name, c.type === 'datetime' ? 'dateTime' : c.type]),
      );
    }
  });

  it('addresses a central workspace in another subscription by its full id: tables, rule destination, workbook and alert', () => {
    const central = LAW.replace(SUB, '11111111-2222-3333-4444-555555555555').replace('rg-ops', 'rg-mgmt');
    const other = withWorkspace({ workspaceResourceId: central });
    for (const t of resources(other, 'azurerm_log_analytics_workspace_table_custom_log'))
      expect(t.workspace_id).toBe(central);
    expect(JSON.stringify(only(other, 'azurerm_monitor_data_collection_rule').destinations)).toContain(
      central,
    );
    expect(String(only(other, 'azurerm_application_insights_workbook').data_json)).toContain(central);
    const alerts = resources(other, 'azurerm_monitor_scheduled_query_rules_alert_v2');
    expect(alerts.length).toBeGreaterThanOrEqual(2); // at risk, and silence
    for (const a of alerts) expect(a.scopes).toEqual([central]);
  });

  it('declares the endpoint and the rule: a stream per table matching its columns, each flowing to its table as sent', () => {
    const dce = only(doc, 'azurerm_monitor_data_collection_endpoint');
    expect(dce).toMatchObject({
      name: 'rsv-dr-weu-asr-updates-estate-dce',
      resource_group_name: 'rg-dr-weu',
      location: 'westeurope',
      public_network_access_enabled: true,
    });
    const dcr = only(doc, 'azurerm_monitor_data_collection_rule');
    expect(dcr.data_collection_endpoint_id).toBe(
      `\${azurerm_monitor_data_collection_endpoint.${key(doc, 'azurerm_monitor_data_collection_endpoint')}.id}`,
    );
    expect(dcr.destinations).toEqual({ log_analytics: [{ name: 'workspace', workspace_resource_id: LAW }] });
    expect(dcr.stream_declaration).toEqual(
      ESTATE_TABLES.map((t) => ({
        stream_name: t.stream,
        column: t.columns.map((c) => ({ name: c.name, type: c.type })),
      })),
    );
    expect(dcr.data_flow).toEqual(
      ESTATE_TABLES.map((t) => ({
        streams: [t.stream],
        destinations: ['workspace'],
        output_stream: t.stream,
        transform_kql: 'source',
      })),
    );
    // The tables exist before a flow names them.
    expect(dcr.depends_on).toEqual(
      resources(doc, 'azurerm_log_analytics_workspace_table_custom_log').map(
        (_, i) =>
          `azurerm_log_analytics_workspace_table_custom_log.${Object.keys(doc.resource.azurerm_log_analytics_workspace_table_custom_log!)[i]}`,
      ),
    );
  });

  it("gives the account's identity Monitoring Metrics Publisher on the rule only, with a deterministic name", () => {
    const dcrKey = key(doc, 'azurerm_monitor_data_collection_rule');
    const accountKey = key(doc, 'azurerm_automation_account');
    const onRule = resources(doc, 'azurerm_role_assignment').filter((r) =>
      String(r.role_definition_id).endsWith(MONITORING_METRICS_PUBLISHER_ROLE.guid),
    );
    expect(onRule).toHaveLength(1);
    expect(onRule[0]).toMatchObject({
      scope: `\${azurerm_monitor_data_collection_rule.${dcrKey}.id}`,
      principal_id: `\${azurerm_automation_account.${accountKey}.identity[0].principal_id}`,
      principal_type: 'ServicePrincipal',
      skip_service_principal_aad_check: true,
    });
    expect(onRule[0]!.name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(withWorkspace().resource.azurerm_role_assignment).toEqual(doc.resource.azurerm_role_assignment);
  });

  it("passes the endpoint's ingestion URI and the rule's immutable id to the runbook, lower-case keys", () => {
    const params = only(doc, 'azurerm_automation_job_schedule').parameters as Record<string, string>;
    expect(params.ingestionendpoint).toBe(
      `\${azurerm_monitor_data_collection_endpoint.${key(doc, 'azurerm_monitor_data_collection_endpoint')}.logs_ingestion_endpoint}`,
    );
    expect(params.ingestionruleid).toBe(
      `\${azurerm_monitor_data_collection_rule.${key(doc, 'azurerm_monitor_data_collection_rule')}.immutable_id}`,
    );
    expect(Object.keys(params).every((k) => k === k.toLowerCase())).toBe(true);
  });

  it('declares a shared workbook in the account group whose query items read the workspace', () => {
    const wb = only(doc, 'azurerm_application_insights_workbook');
    expect(wb).toMatchObject({
      resource_group_name: 'rg-dr-weu',
      category: 'workbook',
      source_id: 'azure monitor',
    });
    expect(wb.name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const data = JSON.parse(String(wb.data_json)) as {
      version: string;
      items: { type: number; content: Record<string, unknown> }[];
    };
    expect(data.version).toBe(WORKBOOK_FORMAT.version);
    const queries = data.items.filter((i) => i.type === WORKBOOK_FORMAT.queryItemType);
    expect(queries).toHaveLength(6);
    const [parameters] = data.items.filter((i) => i.type === WORKBOOK_FORMAT.parametersItemType);
    expect((parameters!.content.parameters as { name: string }[]).map((p) => p.name)).toEqual([
      'TimeRange',
      'Subscriptions',
    ]);
    for (const q of queries) {
      expect(q.content.timeContextFromParameter).toBe('TimeRange');
      expect(q.content.resourceType).toBe('microsoft.operationalinsights/workspaces');
      expect(q.content.crossComponentResources).toEqual([LAW]);
    }
  });

  it('declares the at-risk log alert: one per vault (VaultId dimension), two days, on the run table, routed', () => {
    const alert = logAlert(doc, 'rsv-dr-weu-asr-updates-agents-at-risk');
    expect(alert).toMatchObject({
      scopes: [LAW],
      severity: 2,
      evaluation_frequency: 'PT1H',
      window_duration: 'P2D',
      auto_mitigation_enabled: true,
      action: { action_groups: [AG] },
      criteria: [
        expect.objectContaining({
          query: AT_RISK_ALERT_QUERY,
          operator: 'GreaterThan',
          threshold: 0,
          time_aggregation_method: 'Count',
          dimension: PER_VAULT,
        }),
      ],
    });
    expect(AT_RISK_ALERT_QUERY).toMatch(/^let latestRun = AsrMobilityRun_CL/);
    expect(
      logAlert(withWorkspace({}, { failedJobAlertEnabled: false }), 'rsv-dr-weu-asr-updates-agents-at-risk')
        .action,
    ).toEqual({ action_groups: [AG] });
  });

  it('declares the silence alert: one per vault, two days, after 28 h by default, routed to the same groups', () => {
    const alert = logAlert(doc, 'rsv-dr-weu-asr-updates-vaults-silent');
    expect(alert).toMatchObject({
      scopes: [LAW],
      severity: 1,
      evaluation_frequency: 'PT1H',
      window_duration: 'P2D',
      auto_mitigation_enabled: true,
      action: { action_groups: [AG] },
      criteria: [
        expect.objectContaining({
          query: silenceAlertQuery(28),
          operator: 'GreaterThan',
          threshold: 0,
          time_aggregation_method: 'Count',
          dimension: PER_VAULT,
        }),
      ],
    });
    const tuned = withWorkspace({
      silenceAlertAfterHours: 30,
      silenceAlertName: 'silent',
      silenceAlertSeverity: 2,
    });
    expect(logAlert(tuned, 'silent')).toMatchObject({
      severity: 2,
      criteria: [expect.objectContaining({ query: silenceAlertQuery(30) })],
    });
  });

  it('declares no at-risk or silence alert when switched off, the rest unchanged', () => {
    const off = withWorkspace({ atRiskAlertEnabled: false });
    expect(resources(off, ALERT).map((r) => r.name)).toEqual(['rsv-dr-weu-asr-updates-vaults-silent']);
    expect(off.resource.azurerm_monitor_data_collection_rule).toEqual(
      doc.resource.azurerm_monitor_data_collection_rule,
    );
    const none = withWorkspace({ atRiskAlertEnabled: false, silenceAlertEnabled: false });
    expect(none.resource[ALERT]).toBeUndefined();
  });

  it('declares nothing of it without a workspace: no resource, no ingestion parameter', () => {
    const plain = synth(new A2A(testApp(), 'a2a', a2aProps()));
    for (const type of VISIBILITY_TYPES) expect(plain.resource[type]).toBeUndefined();
    expect(Object.keys(only(plain, 'azurerm_automation_job_schedule').parameters as object).sort()).toEqual([
      'automationaccountarmid',
      'autoupdateaction',
      'providers',
      'vaultresourceid',
    ]);
  });

  it("carries a workspace reference (law.id) into the tables, the rule, the workbook's JSON and the alert", () => {
    const stack = new TerraformStack(testApp(), 'team');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    const rg = new ResourceGroup(stack, 'rg', { name: 'rg-team', location: 'westeurope' });
    const law = new LogAnalyticsWorkspace(stack, 'law', {
      name: 'law-team',
      resourceGroupName: rg.name,
      location: rg.location,
    });
    const vault = RecoveryVault.fromVaultId(
      stack,
      'vault',
      `/subscriptions/${SUB}/resourceGroups/rg-dr/providers/Microsoft.RecoveryServices/vaults/rsv-dr`,
      { sourceRegion: 'northeurope', location: 'westeurope' },
    );
    const automation = new AutoUpdateAutomation(stack, 'automation', {
      vault,
      clock: fixedClock,
      visibility: { workspaceResourceId: law.id },
    });
    const out = synth(stack);
    const ref = '${azurerm_log_analytics_workspace.law.id}';
    for (const t of resources(out, 'azurerm_log_analytics_workspace_table_custom_log'))
      expect(t.workspace_id).toBe(ref);
    expect(only(out, 'azurerm_monitor_data_collection_rule').destinations).toEqual({
      log_analytics: [{ name: 'workspace', workspace_resource_id: ref }],
    });
    for (const alert of resources(out, ALERT)) expect(alert.scopes).toEqual([ref]);
    expect(resources(out, ALERT)).toHaveLength(2);
    expect(String(only(out, 'azurerm_application_insights_workbook').data_json)).toContain(
      `"crossComponentResources":["${ref}"]`,
    );
    expect(automation.visibility?.tables).toHaveLength(2);
  });

  it('declares it for a fleet: every time zone job gets the ingestion parameters', () => {
    const stack = new TerraformStack(testApp(), 'fleet');
    const id = (rg: string, n: string) =>
      `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.RecoveryServices/vaults/${n}`;
    new ExistingVaultsMobilityAutoUpdate(stack, 'fleet', {
      vaults: [
        { vaultResourceId: id('rg-a', 'rsv-a'), sourceRegion: 'northeurope' },
        { vaultResourceId: id('rg-b', 'rsv-b'), sourceRegion: 'eastus' },
      ],
      automation: {
        name: 'aa-fleet',
        resourceGroupName: 'rg-automation',
        location: 'westeurope',
        clock: fixedClock,
        visibility: { workspaceResourceId: LAW },
      },
    });
    const out = synth(stack);
    const jobs = resources(out, 'azurerm_automation_job_schedule');
    expect(jobs).toHaveLength(2);
    for (const j of jobs) {
      const p = j.parameters as Record<string, string>;
      expect(p.ingestionendpoint).toMatch(
        /^\$\{azurerm_monitor_data_collection_endpoint\..+\.logs_ingestion_endpoint\}$/,
      );
      expect(p.ingestionruleid).toMatch(/^\$\{azurerm_monitor_data_collection_rule\..+\.immutable_id\}$/);
    }
    expect(only(out, 'azurerm_monitor_data_collection_rule').resource_group_name).toBe('rg-automation');
  });

  it('fails when the workspace is not a workspace id, naming the prop, before anything is declared', () => {
    const stack = new TerraformStack(testApp(), 'bad');
    const violations = violationsOf(
      () =>
        new A2AMobilityAutoUpdate(
          stack,
          'dr',
          a2aProps({ automation: { clock: fixedClock, visibility: { workspaceResourceId: AG } } }),
        ),
    );
    expect(violations.map((v) => v.prop)).toEqual(['automation.visibility.workspaceResourceId']);
    expect(stack.node.children).toHaveLength(0);
  });

  it('shows the tables, endpoint, rule, role, workbook and alert in the example a2a stack', () => {
    const context = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdktf.json'), 'utf8')).context;
    const app = buildApp(testApp(context), { ASR_NOW: NOW });
    const example = synth(app.node.findChild('a2a') as A2AStack);
    for (const type of VISIBILITY_TYPES)
      expect(Object.keys(example.resource[type] ?? {}).length).toBeGreaterThan(0);
  });
});
