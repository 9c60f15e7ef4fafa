import { ALERT_DEFAULTS, ValidationError } from '../../constructs/domain/internal';
import { A2AMobilityAutoUpdate, AutoUpdateAutomation, RecoveryVault } from '../../constructs/pulumi';
import { CONFIG_KEYS, scenarioFromConfig } from '../../stacks/pulumi/config';
import { runOfflineProgram, type GraphNode, type OfflinePreview } from '../../stacks/pulumi/offline';
import { PROJECT_NAME } from '../../stacks/pulumi/project-file';
import { a2aProps, fixedClock, SUB } from '../fixtures';

const actionGroup = (name: string): string =>
  `/subscriptions/${SUB}/resourceGroups/rg-ops/providers/Microsoft.Insights/actionGroups/${name}`;
const alertsOf = (p: OfflinePreview): GraphNode[] =>
  p.resources.filter((r) => r.type === 'azure-native:monitor:MetricAlert');
const MOCK_ACCOUNT_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-dr-weu/providers/Microsoft.Automation/automationAccounts/rsv-dr-weu-asr-updates';

describe('failed-job alert under Pulumi (azure-native)', () => {
  const ids = [actionGroup('ag-ops'), actionGroup('ag-oncall')];
  let alert: GraphNode;
  beforeAll(async () => {
    const p = await runOfflineProgram(
      () =>
        new A2AMobilityAutoUpdate(
          'a2a',
          a2aProps({ automation: { clock: fixedClock, alerts: { actionGroupIds: ids } } }),
        ),
      { project: PROJECT_NAME, stack: 'a2a' },
    );
    const all = alertsOf(p);
    expect(all).toHaveLength(1);
    alert = all[0]!;
  });

  it('is a global rule on the automation account, named from it, a child of the automation component', () => {
    expect(alert.name).toBe('a2a-automation-failed-job-alert');
    expect(alert.parent).toBe('asr-mobility-autoupdate:automation:AutoUpdateAutomation::a2a-automation');
    expect(alert.inputs).toMatchObject({
      ruleName: 'rsv-dr-weu-asr-updates-runbook-failed',
      resourceGroupName: 'rg-dr-weu',
      location: 'global',
      scopes: [MOCK_ACCOUNT_ID],
      enabled: true,
      severity: 1,
      evaluationFrequency: 'PT5M',
      windowSize: 'PT5M',
      autoMitigate: false,
      tags: { env: 'test' },
    });
  });

  it('counts Failed jobs of this runbook on TotalJob (Total > 0), single-resource criteria', () => {
    expect(alert.inputs.criteria).toEqual({
      odataType: 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria',
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion',
          name: 'Metric1',
          metricNamespace: 'Microsoft.Automation/automationAccounts',
          metricName: 'TotalJob',
          timeAggregation: 'Total',
          operator: 'GreaterThan',
          threshold: 0,
          dimensions: [
            { name: 'Runbook', operator: 'Include', values: ['Set-AsrMobilityAutoUpdate'] },
            { name: 'Status', operator: 'Include', values: ['Failed'] },
          ],
        },
      ],
    });
  });

  it('notifies every action group given', () => {
    expect(alert.inputs.actions).toEqual(ids.map((actionGroupId) => ({ actionGroupId })));
  });
});

describe('failed-job alert options under Pulumi', () => {
  it('creates no alert rule when switched off, and sends no actions without action groups', async () => {
    const p = await runOfflineProgram(
      () => {
        const vault = new RecoveryVault('v', {
          name: 'rsv-ok',
          resourceGroupName: 'rg',
          location: 'westeurope',
        });
        new AutoUpdateAutomation('off', {
          vault,
          sourceRegion: 'westeurope',
          clock: fixedClock,
          runbookContentLink: { uri: 'https://example.org/r.ps1', sha256: 'AB'.repeat(32) },
          alerts: { failedJobAlertEnabled: false },
        });
        new AutoUpdateAutomation('on', {
          vault,
          sourceRegion: 'westeurope',
          clock: fixedClock,
          name: 'aa-second-updates',
          runbookContentLink: { uri: 'https://example.org/r.ps1', sha256: 'AB'.repeat(32) },
        });
      },
      { project: PROJECT_NAME, stack: 'alerts' },
    );
    const all = alertsOf(p);
    expect(all.map((a) => a.name)).toEqual(['on-failed-job-alert']);
    expect(all[0]!.inputs.actions).toBeUndefined();
  });

  it('fails when an action group id is not an action group, naming the prop, before registering', () => {
    const bad = 'ag-ops';
    let error: unknown;
    try {
      new A2AMobilityAutoUpdate(
        'a2a',
        a2aProps({ automation: { clock: fixedClock, alerts: { actionGroupIds: [bad] } } }),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).violations).toEqual([
      expect.objectContaining({ prop: 'automation.alerts.actionGroupIds[0]', value: bad }),
    ]);
  });
});

describe('failed-job alert from the Pulumi stack configuration', () => {
  const base = {
    scenario: 'a2a',
    vaultName: 'rsv-dr-weu',
    vaultResourceGroupName: 'rg-dr-weu',
    vaultLocation: 'westeurope',
    sourceRegion: 'northeurope',
    targetRegion: 'westeurope',
  };
  const source = (extra: Record<string, string>) => {
    const all: Record<string, string> = { ...base, ...extra };
    return { get: (k: string) => all[k], keys: () => Object.keys(all) };
  };
  const alertsFrom = (extra: Record<string, string>) => {
    const s = scenarioFromConfig(source(extra));
    return s.scenario === 'a2a' ? s.props.automation?.alerts : undefined;
  };

  it('passes the table defaults, which are the domain defaults', () => {
    expect(alertsFrom({})).toEqual({
      failedJobAlertEnabled: ALERT_DEFAULTS.failedJobAlertEnabled,
      failedJobAlertName: undefined,
      actionGroupIds: [],
      severity: ALERT_DEFAULTS.severity,
      evaluationFrequency: ALERT_DEFAULTS.evaluationFrequency,
      windowSize: ALERT_DEFAULTS.windowSize,
      autoMitigationEnabled: ALERT_DEFAULTS.autoMitigationEnabled,
    });
    expect(CONFIG_KEYS.failedJobAlertEnabled.default).toBe(true);
  });

  it('maps every alert key to its prop', () => {
    expect(
      alertsFrom({
        failedJobAlertEnabled: 'false',
        failedJobAlertName: 'asr-failed',
        alertActionGroupIds: JSON.stringify([actionGroup('ag')]),
        alertSeverity: '2',
        alertEvaluationFrequency: 'PT15M',
        alertWindowSize: 'PT1H',
        alertAutoMitigationEnabled: 'true',
      }),
    ).toEqual({
      failedJobAlertEnabled: false,
      failedJobAlertName: 'asr-failed',
      actionGroupIds: [actionGroup('ag')],
      severity: 2,
      evaluationFrequency: 'PT15M',
      windowSize: 'PT1H',
      autoMitigationEnabled: true,
    });
  });

  it('fails on a wrongly typed alert key, naming it', () => {
    expect(() => scenarioFromConfig(source({ alertSeverity: 'high' }))).toThrow(
      /alertSeverity: received "high"; must be an integer/,
    );
    expect(() => scenarioFromConfig(source({ alertActionGroupIds: 'ag' }))).toThrow(
      /alertActionGroupIds: received "ag"; must be a list of strings/,
    );
  });
});
