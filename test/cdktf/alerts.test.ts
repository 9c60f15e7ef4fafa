import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { TerraformStack } from 'cdktf';
import { AutoUpdateAutomation, RecoveryVault } from '../../constructs/cdktf';
import { ValidationError } from '../../constructs/domain/internal';
import { buildApp } from '../../stacks/cdktf/main';
import { A2AStack } from '../../stacks/cdktf/stacks';
import { a2aProps, fixedClock, NOW, SUB } from '../fixtures';
import { only, resources, synth, testApp } from './helpers';

const actionGroup = (name: string): string =>
  `/subscriptions/${SUB}/resourceGroups/rg-ops/providers/Microsoft.Insights/actionGroups/${name}`;

describe('failed-job alert as synthesized (azurerm)', () => {
  const ids = [actionGroup('ag-ops'), actionGroup('ag-oncall')];
  const doc = synth(
    new A2AStack(
      testApp(),
      'a2a',
      a2aProps({ automation: { clock: fixedClock, alerts: { actionGroupIds: ids } } }),
    ),
  );
  const alert = only(doc, 'azurerm_monitor_metric_alert');
  const accountId = Object.keys(doc.resource.azurerm_automation_account!)[0];

  it('is scoped to the automation account, named from it, enabled, severity 1, every 5 minutes over 5', () => {
    expect(alert).toMatchObject({
      name: 'rsv-dr-weu-asr-updates-runbook-failed',
      resource_group_name: 'rg-dr-weu',
      scopes: [`\${azurerm_automation_account.${accountId}.id}`],
      enabled: true,
      severity: 1,
      frequency: 'PT5M',
      window_size: 'PT5M',
      auto_mitigate: false,
      tags: { env: 'test' },
    });
  });

  it('counts Failed jobs of this runbook on TotalJob (Total > 0)', () => {
    expect(alert.criteria).toEqual([
      {
        metric_namespace: 'Microsoft.Automation/automationAccounts',
        metric_name: 'TotalJob',
        aggregation: 'Total',
        operator: 'GreaterThan',
        threshold: 0,
        dimension: [
          { name: 'Runbook', operator: 'Include', values: ['Set-AsrMobilityAutoUpdate'] },
          { name: 'Status', operator: 'Include', values: ['Failed'] },
        ],
      },
    ]);
  });

  it('notifies every action group given', () => {
    expect(alert.action).toEqual(ids.map((action_group_id) => ({ action_group_id })));
  });

  it('writes no action block without action groups', () => {
    const plain = only(synth(new A2AStack(testApp(), 'a2a', a2aProps())), 'azurerm_monitor_metric_alert');
    expect(plain.action).toBeUndefined();
  });

  it('creates no alert rule when switched off', () => {
    const off = synth(
      new A2AStack(
        testApp(),
        'a2a',
        a2aProps({ automation: { clock: fixedClock, alerts: { failedJobAlertEnabled: false } } }),
      ),
    );
    expect(resources(off, 'azurerm_monitor_metric_alert')).toEqual([]);
  });

  it('adds the alert to a hand-composed account as construct id FailedJobAlert', () => {
    const stack = new TerraformStack(testApp(), 'team');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    const vault = new RecoveryVault(stack, 'Vault', {
      name: 'rsv-team',
      resourceGroupName: 'rg-team',
      location: 'swedencentral',
    });
    const automation = new AutoUpdateAutomation(stack, 'Updates', {
      vault,
      sourceRegion: 'germanywestcentral',
      clock: fixedClock,
      alerts: { severity: 2 },
    });
    expect(automation.failedJobAlert?.node.id).toBe('FailedJobAlert');
    expect(only(synth(stack), 'azurerm_monitor_metric_alert').severity).toBe(2);
  });

  it('fails when an action group id is not an action group, naming the prop, before synthesis', () => {
    const bad = `/subscriptions/${SUB}/resourceGroups/rg-ops/providers/Microsoft.Web/sites/app`;
    expect(
      () =>
        new A2AStack(
          testApp(),
          'a2a',
          a2aProps({ automation: { clock: fixedClock, alerts: { actionGroupIds: [bad] } } }),
        ),
    ).toThrow(ValidationError);
    expect(
      () =>
        new A2AStack(
          testApp(),
          'a2a',
          a2aProps({ automation: { clock: fixedClock, alerts: { actionGroupIds: [bad] } } }),
        ),
    ).toThrow(
      /automation\.alerts\.actionGroupIds\[0\]: received ".*Microsoft\.Web\/sites\/app"; must be a Microsoft\.Insights\/actionGroups resource id/,
    );
  });
});

describe('failed-job alert from the stack configuration (cdktf.json / ASR_*)', () => {
  const ag = actionGroup('ag-from-env');

  it('takes automation.alerts from the scenario JSON, for example ASR_A2A', () => {
    const a2a = { ...a2aProps(), automation: { alerts: { actionGroupIds: [ag], severity: 3 } } };
    const app = buildApp(testApp(), { ASR_A2A: JSON.stringify(a2a), ASR_NOW: NOW });
    const alert = only(synth(app.node.findChild('a2a') as A2AStack), 'azurerm_monitor_metric_alert');
    expect(alert).toMatchObject({ severity: 3, action: [{ action_group_id: ag }] });
  });

  it('routes the example configuration to its action group', () => {
    const context = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdktf.json'), 'utf8')).context;
    const app = buildApp(testApp(context), { ASR_NOW: NOW });
    const alert = only(synth(app.node.findChild('a2a') as A2AStack), 'azurerm_monitor_metric_alert');
    expect(alert.action).toEqual([
      {
        action_group_id:
          '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ops/providers/Microsoft.Insights/actionGroups/ag-platform-oncall',
      },
    ]);
  });

  it('fails when a key under alerts is misspelt, instead of silently using a default', () => {
    const a2a = { ...a2aProps(), automation: { alerts: { actionGroupId: [ag] } } };
    expect(() => buildApp(testApp(), { ASR_A2A: JSON.stringify(a2a), ASR_NOW: NOW })).toThrow(
      /automation\.alerts\.actionGroupId: received .*; is not a known prop; allowed: failedJobAlertEnabled/,
    );
  });
});
