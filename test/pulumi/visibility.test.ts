import * as pulumi from '@pulumi/pulumi';
import { A2AMobilityAutoUpdate, ExistingVaultsMobilityAutoUpdate } from '../../constructs/pulumi';
import {
  type A2AScenarioProps,
  AT_RISK_ALERT_QUERY,
  ESTATE_TABLES,
  MONITORING_METRICS_PUBLISHER_ROLE,
  silenceAlertQuery,
  WORKBOOK_FORMAT,
} from '../../constructs/domain';
import { runOfflineProgram, type GraphNode, type OfflinePreview } from '../../stacks/pulumi/offline';
import { PROJECT_NAME } from '../../stacks/pulumi/project-file';
import { a2aProps, fixedClock, SUB } from '../fixtures';

const LAW = `/subscriptions/${SUB}/resourceGroups/rg-ops/providers/Microsoft.OperationalInsights/workspaces/law-ops`;
const AG = `/subscriptions/${SUB}/resourceGroups/rg-ops/providers/Microsoft.Insights/actionGroups/ag-ops`;
type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const of = (p: OfflinePreview, type: string): GraphNode[] =>
  p.resources.filter((r) => r.type === `azure-native:${type}`);
const one = (p: OfflinePreview, type: string): Inputs => {
  const all = of(p, type);
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0]!.inputs as Inputs;
};

describe('estate visibility (Pulumi, azure-native)', () => {
  let p: OfflinePreview;
  beforeAll(async () => {
    p = await runOfflineProgram(
      () =>
        new A2AMobilityAutoUpdate('a2a', {
          ...a2aProps(),
          automation: {
            clock: fixedClock,
            alerts: { actionGroupIds: [AG], failedJobAlertEnabled: false },
            // A reference: known only when the program runs.
            visibility: { workspaceResourceId: pulumi.output(LAW) },
          },
        } satisfies A2AScenarioProps<pulumi.Input<string>>),
      { project: PROJECT_NAME, stack: 'a2a' },
    );
  });

  it('registers the two tables in the workspace named by the id, with the domain schema', () => {
    const tables = of(p, 'operationalinsights:Table').map((t) => t.inputs as Inputs);
    expect(tables.map((t) => [t.resourceGroupName, t.workspaceName, t.tableName])).toEqual([
      ['rg-ops', 'law-ops', 'AsrMobilityAgent_CL'],
      ['rg-ops', 'law-ops', 'AsrMobilityRun_CL'],
    ]);
    tables.forEach((t, i) =>
      expect(t.schema.columns.map((c: Inputs) => [c.name, c.type])).toEqual(
        ESTATE_TABLES[i]!.columns.map((c) => [c.name, c.type === 'datetime' ? 'dateTime' : c.type]),
      ),
    );
  });

  it('registers the endpoint (public: cloud jobs send over the internet) and the rule with its streams and flows', () => {
    expect(one(p, 'monitor:DataCollectionEndpoint')).toMatchObject({
      dataCollectionEndpointName: 'rsv-dr-weu-asr-updates-estate-dce',
      networkAcls: { publicNetworkAccess: 'Enabled' },
      location: 'westeurope',
    });
    const dcr = one(p, 'monitor:DataCollectionRule');
    expect(dcr.destinations).toEqual({ logAnalytics: [{ name: 'workspace', workspaceResourceId: LAW }] });
    expect(Object.keys(dcr.streamDeclarations)).toEqual(ESTATE_TABLES.map((t) => t.stream));
    for (const t of ESTATE_TABLES)
      expect(dcr.streamDeclarations[t.stream].columns).toEqual(
        t.columns.map((c) => ({ name: c.name, type: c.type })),
      );
    expect(dcr.dataFlows.map((f: Inputs) => [f.streams, f.outputStream, f.transformKql])).toEqual(
      ESTATE_TABLES.map((t) => [[t.stream], t.stream, 'source']),
    );
  });

  it('gives the identity Monitoring Metrics Publisher on the rule and passes the ingestion parameters', () => {
    const onRule = of(p, 'authorization:RoleAssignment')
      .map((r) => r.inputs as Inputs)
      .filter((r) => String(r.roleDefinitionId).endsWith(MONITORING_METRICS_PUBLISHER_ROLE.guid));
    expect(onRule).toHaveLength(1);
    expect(onRule[0]!.scope).toMatch(
      /\/providers\/Microsoft\.Insights\/dataCollectionRules\/rsv-dr-weu-asr-updates-estate-dcr$/,
    );
    expect(onRule[0]!.principalType).toBe('ServicePrincipal');
    const params = one(p, 'automation:JobSchedule').parameters as Record<string, string>;
    // The mocks answer the endpoint's URI and the rule's immutable id (stacks/pulumi/offline.ts).
    expect(params.ingestionendpoint).toBe(
      'https://rsv-dr-weu-asr-updates-estate-dce.westeurope-1.ingest.monitor.azure.com',
    );
    expect(params.ingestionruleid).toMatch(/^dcr-[0-9a-f]{32}$/);
  });

  it('registers a workbook with parameters reading the workspace, and the at-risk and silence alerts split per vault, routed', () => {
    const wb = one(p, 'applicationinsights:Workbook');
    expect(wb).toMatchObject({ kind: 'shared', category: 'workbook', sourceId: 'azure monitor' });
    const data = JSON.parse(wb.serializedData) as { version: string; items: Inputs[] };
    expect(data.version).toBe(WORKBOOK_FORMAT.version);
    for (const item of data.items.filter((i) => i.type === WORKBOOK_FORMAT.queryItemType))
      expect(item.content.crossComponentResources).toEqual([LAW]);
    expect(
      data.items
        .filter((i) => i.type === WORKBOOK_FORMAT.parametersItemType)
        .flatMap((i) => (i.content.parameters as Inputs[]).map((x) => x.name)),
    ).toEqual(['TimeRange', 'Subscriptions']);
    const alerts = of(p, 'monitor:ScheduledQueryRule');
    expect(alerts.map((a) => a.name).sort()).toEqual([
      'a2a-automation-at-risk-alert',
      'a2a-automation-silence-alert',
    ]);
    const input = (name: string) => alerts.find((a) => a.name === name)!.inputs as Inputs;
    const perVault = [{ name: 'VaultId', operator: 'Include', values: ['*'] }];
    const common = {
      kind: 'LogAlert',
      scopes: [LAW],
      evaluationFrequency: 'PT1H',
      windowSize: 'P2D',
      autoMitigate: true,
      actions: { actionGroups: [AG] },
    };
    expect(input('a2a-automation-at-risk-alert')).toMatchObject({ ...common, severity: 2 });
    expect(input('a2a-automation-at-risk-alert').criteria.allOf[0]).toEqual(
      expect.objectContaining({
        query: AT_RISK_ALERT_QUERY,
        timeAggregation: 'Count',
        operator: 'GreaterThan',
        threshold: 0,
        dimensions: perVault,
      }),
    );
    expect(AT_RISK_ALERT_QUERY).toMatch(/^let latestRun = AsrMobilityRun_CL/);
    expect(input('a2a-automation-silence-alert')).toMatchObject({
      ...common,
      ruleName: 'rsv-dr-weu-asr-updates-vaults-silent',
      severity: 1,
    });
    expect(input('a2a-automation-silence-alert').criteria.allOf[0]).toEqual(
      expect.objectContaining({ query: silenceAlertQuery(28), dimensions: perVault }),
    );
  });

  it('registers it for a fleet, and nothing of it without a workspace', async () => {
    const id = (rg: string, n: string) =>
      `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.RecoveryServices/vaults/${n}`;
    const fleet = (visibility?: { workspaceResourceId: string }) =>
      runOfflineProgram(
        () =>
          new ExistingVaultsMobilityAutoUpdate('fleet', {
            vaults: [
              { vaultResourceId: id('rg-a', 'rsv-a'), sourceRegion: 'northeurope' },
              { vaultResourceId: id('rg-b', 'rsv-b'), sourceRegion: 'eastus' },
            ],
            automation: {
              name: 'aa-fleet',
              resourceGroupName: 'rg-automation',
              location: 'westeurope',
              clock: fixedClock,
              visibility,
            },
          }),
        { project: PROJECT_NAME, stack: 'existing' },
      );
    const withIt = await fleet({ workspaceResourceId: LAW });
    for (const j of of(withIt, 'automation:JobSchedule'))
      expect(Object.keys((j.inputs as Inputs).parameters)).toEqual(
        expect.arrayContaining(['ingestionendpoint', 'ingestionruleid']),
      );
    expect(of(withIt, 'operationalinsights:Table')).toHaveLength(2);
    const without = await fleet();
    for (const type of [
      'operationalinsights:Table',
      'monitor:DataCollectionEndpoint',
      'monitor:DataCollectionRule',
      'applicationinsights:Workbook',
      'monitor:ScheduledQueryRule',
    ])
      expect(of(without, type)).toEqual([]);
    for (const j of of(without, 'automation:JobSchedule'))
      expect(Object.keys((j.inputs as Inputs).parameters)).not.toContain('ingestionendpoint');
  });
});
