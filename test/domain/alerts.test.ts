import {
  ALERT_DEFAULTS,
  planScenario,
  resolveA2AScenario,
  resolveVmwareScenario,
  type A2AScenarioProps,
  type AutomationAlertsProps,
} from '../../constructs/domain/internal';
import { a2aProps, fixedClock, SUB, violationsOf, vmwareProps } from '../fixtures';

const actionGroup = (name: string, provider = 'Microsoft.Insights'): string =>
  `/subscriptions/${SUB}/resourceGroups/rg-ops/providers/${provider}/actionGroups/${name}`;

const withAlerts = (alerts: AutomationAlertsProps): A2AScenarioProps =>
  a2aProps({ automation: { clock: fixedClock, alerts } });

describe('failed-job alert defaults', () => {
  const alert = resolveA2AScenario(a2aProps()).automation!.failedJobAlert!;

  it('is on by default, named from the account, global, with the account tags', () => {
    expect(alert).toMatchObject({
      name: 'rsv-dr-weu-asr-updates-runbook-failed',
      location: 'global',
      enabled: true,
      severity: 1,
      evaluationFrequency: 'PT5M',
      windowSize: 'PT5M',
      autoMitigate: false,
      actionGroupIds: [],
      tags: { env: 'test' },
    });
    expect(alert.description).toContain('Set-AsrMobilityAutoUpdate');
    expect(ALERT_DEFAULTS).toMatchObject({ failedJobAlertEnabled: true, severity: 1 });
  });

  it('fires on TotalJob > 0 (Total) for Failed jobs of this runbook only', () => {
    expect(alert.criterion).toEqual({
      name: 'Metric1',
      metricNamespace: 'Microsoft.Automation/automationAccounts',
      metricName: 'TotalJob',
      aggregation: 'Total',
      operator: 'GreaterThan',
      threshold: 0,
      dimensions: [
        { name: 'Runbook', operator: 'Include', values: ['Set-AsrMobilityAutoUpdate'] },
        { name: 'Status', operator: 'Include', values: ['Failed'] },
      ],
    });
  });

  it('follows a renamed runbook and account, and explicit tags', () => {
    const spec = resolveA2AScenario(
      a2aProps({
        automation: { clock: fixedClock, name: 'aa-updates', runbookName: 'Update-Agents', tags: { a: 'b' } },
      }),
    ).automation!.failedJobAlert!;
    expect(spec.name).toBe('aa-updates-runbook-failed');
    expect(spec.criterion.dimensions[0]!.values).toEqual(['Update-Agents']);
    expect(spec.tags).toEqual({ a: 'b' });
  });

  it('is in the plan, scoped to the account, in both scenarios', () => {
    for (const plan of [
      planScenario(resolveA2AScenario(a2aProps())),
      planScenario(resolveVmwareScenario(vmwareProps())),
    ]) {
      const entries = plan.filter((r) => r.type === 'Microsoft.Insights/metricAlerts');
      expect(entries).toHaveLength(1);
      expect(entries[0]!.properties).toMatchObject({
        location: 'global',
        scopes: ['<automationAccount.id>'],
        criterion: { metricName: 'TotalJob' },
      });
    }
  });
});

describe('failed-job alert options', () => {
  it('routes to the action groups given, accepting ARM lower-case provider namespaces', () => {
    const ids = [actionGroup('ag-ops'), actionGroup('ag-oncall', 'microsoft.insights')];
    const alert = resolveA2AScenario(withAlerts({ actionGroupIds: ids })).automation!.failedJobAlert!;
    expect(alert.actionGroupIds).toEqual(ids);
  });

  it('takes severity, frequency, window and auto-mitigation', () => {
    const alert = resolveA2AScenario(
      withAlerts({
        severity: 0,
        evaluationFrequency: 'PT15M',
        windowSize: 'PT1H',
        autoMitigationEnabled: true,
        failedJobAlertName: 'ASR nightly update failed',
      }),
    ).automation!.failedJobAlert!;
    expect(alert).toMatchObject({
      name: 'ASR nightly update failed',
      severity: 0,
      evaluationFrequency: 'PT15M',
      windowSize: 'PT1H',
      autoMitigate: true,
    });
  });

  it('creates no alert rule when switched off', () => {
    const spec = resolveA2AScenario(withAlerts({ failedJobAlertEnabled: false }));
    expect(spec.automation!.failedJobAlert).toBeUndefined();
    expect(planScenario(spec).some((r) => r.type === 'Microsoft.Insights/metricAlerts')).toBe(false);
  });

  it('creates no alert rule when there is no automation account', () => {
    const spec = resolveA2AScenario(
      a2aProps({ vault: { ...a2aProps().vault, extensionUpdateSettings: { autoUpdateEnabled: false } } }),
    );
    expect(planScenario(spec).some((r) => r.type === 'Microsoft.Insights/metricAlerts')).toBe(false);
  });
});

describe('failed-job alert validation', () => {
  const bad = `/subscriptions/${SUB}/resourceGroups/rg-ops/providers/Microsoft.Network/virtualNetworks/vnet`;

  it.each<[string, AutomationAlertsProps, unknown[]]>([
    [
      'an action group id is not an action group resource id, naming the prop',
      { actionGroupIds: [actionGroup('ag-ops'), bad, 'ag-ops'] },
      [
        expect.objectContaining({
          prop: 'automation.alerts.actionGroupIds[1]',
          value: bad,
          rule: expect.stringContaining('Microsoft.Insights/actionGroups'),
        }),
        expect.objectContaining({ prop: 'automation.alerts.actionGroupIds[2]', value: 'ag-ops' }),
      ],
    ],
    [
      'an action group appears twice, compared case-insensitively',
      { actionGroupIds: [actionGroup('ag-ops'), actionGroup('AG-OPS', 'microsoft.insights')] },
      [
        expect.objectContaining({
          prop: 'automation.alerts.actionGroupIds[1]',
          rule: expect.stringContaining('once'),
        }),
      ],
    ],
    [
      'actionGroupIds is not a list',
      { actionGroupIds: actionGroup('ag') as unknown as string[] },
      [expect.objectContaining({ prop: 'automation.alerts.actionGroupIds' })],
    ],
    [
      'severity, frequency or window are outside what Azure Monitor accepts',
      { severity: 5 as 0, evaluationFrequency: 'PT2M' as 'PT1M', windowSize: 'PT2H' as 'PT1H' },
      [
        expect.objectContaining({ prop: 'automation.alerts.severity', value: 5 }),
        expect.objectContaining({ prop: 'automation.alerts.evaluationFrequency', value: 'PT2M' }),
        expect.objectContaining({ prop: 'automation.alerts.windowSize', value: 'PT2H' }),
      ],
    ],
    [
      'the window is shorter than the evaluation frequency',
      { evaluationFrequency: 'PT15M', windowSize: 'PT5M' },
      [
        expect.objectContaining({
          prop: 'automation.alerts.windowSize',
          value: 'PT5M',
          rule: expect.stringContaining('PT15M'),
        }),
      ],
    ],
    [
      'a name, flag or key is wrong',
      {
        failedJobAlertName: 'bad/name.',
        failedJobAlertEnabled: 'yes' as unknown as boolean,
        actionGroups: [],
      } as AutomationAlertsProps,
      [
        expect.objectContaining({ prop: 'automation.alerts.actionGroups' }),
        expect.objectContaining({ prop: 'automation.alerts.failedJobAlertEnabled' }),
        expect.objectContaining({ prop: 'automation.alerts.failedJobAlertName' }),
      ],
    ],
  ])('fails when %s', (_, alerts, expected) => {
    expect(violationsOf(() => resolveA2AScenario(withAlerts(alerts)))).toEqual(expected);
  });
});
