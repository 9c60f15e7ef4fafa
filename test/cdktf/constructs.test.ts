import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { TerraformStack } from 'cdktf';
import {
  A2AReplication,
  AutoUpdateAutomation,
  RecoveryVault,
  VmwareReplication,
} from '../../constructs/cdktf';
import { fixedClock } from '../fixtures';
import { only, resources, synth, testApp } from './helpers';

/** A platform team composing the building blocks in its own stack. */
function teamStack() {
  const stack = new TerraformStack(testApp(), 'team');
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  return stack;
}

describe('building blocks composed by hand', () => {
  it('wires vault, automation and A2A replication together', () => {
    const stack = teamStack();
    const vault = new RecoveryVault(stack, 'Vault', {
      name: 'rsv-team',
      resourceGroupName: 'rg-team',
      location: 'swedencentral',
    });
    const automation = new AutoUpdateAutomation(stack, 'Updates', {
      vault,
      sourceRegion: 'germanywestcentral',
      clock: fixedClock,
      name: 'aa-team-updates',
    });
    new A2AReplication(stack, 'Dr', {
      vault,
      automation,
      sourceRegion: 'germanywestcentral',
      targetRegion: 'swedencentral',
    });
    const doc = synth(stack);
    expect(only(doc, 'azurerm_automation_account').name).toBe('aa-team-updates');
    expect(only(doc, 'azurerm_automation_schedule').timezone).toBe('Europe/Berlin');
    expect(resources(doc, 'azurerm_site_recovery_protection_container_mapping')).toHaveLength(2);
  });

  it('fails when A2A replication has auto-update on but no account to use', () => {
    const stack = teamStack();
    const vault = new RecoveryVault(stack, 'Vault', {
      name: 'rsv-team',
      resourceGroupName: 'rg-team',
      location: 'swedencentral',
    });
    expect(
      () =>
        new A2AReplication(stack, 'Dr', {
          vault,
          sourceRegion: 'germanywestcentral',
          targetRegion: 'swedencentral',
        }),
    ).toThrow(
      /A2AReplication: 1 invalid prop:\n {2}- automation: received undefined; auto-update is on: pass the AutoUpdateAutomation construct \(cdktf\)/,
    );
  });

  it('validates each building block on its own, naming the block', () => {
    const stack = teamStack();
    expect(
      () => new RecoveryVault(stack, 'Vault', { name: 'x', resourceGroupName: 'rg', location: 'westeurope' }),
    ).toThrow(/^RecoveryVault: 1 invalid prop:\n {2}- name: received "x"/);
    const vault = new RecoveryVault(stack, 'Vault2', {
      name: 'rsv-ok',
      resourceGroupName: 'rg',
      location: 'westeurope',
    });
    expect(
      () =>
        new AutoUpdateAutomation(stack, 'A', {
          vault,
          sourceRegion: 'westeurope',
          authenticationType: 'RunAsAccount' as never,
        }),
    ).toThrow(
      /^AutoUpdateAutomation: 1 invalid prop:\n {2}- authenticationType: received "RunAsAccount"; RunAsAccount is refused/,
    );
    expect(
      () =>
        new VmwareReplication(stack, 'V', {
          vault,
          recoveryPointRetentionInMinutes: 60,
          applicationConsistentSnapshotFrequencyInMinutes: 61,
        }),
    ).toThrow(/^VmwareReplication: 1 invalid prop/);
  });

  it('adds diagnostic settings for job logs and streams to the account', () => {
    const stack = teamStack();
    const vault = new RecoveryVault(stack, 'Vault', {
      name: 'rsv-team',
      resourceGroupName: 'rg-team',
      location: 'swedencentral',
    });
    const law =
      '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law';
    new AutoUpdateAutomation(stack, 'Updates', {
      vault,
      sourceRegion: 'swedencentral',
      clock: fixedClock,
      diagnosticSettings: [{ workspaceResourceId: law }],
    });
    const diag = only(synth(stack), 'azurerm_monitor_diagnostic_setting');
    expect(diag).toMatchObject({
      name: 'diag-rsv-team-asr-updates',
      log_analytics_workspace_id: law,
      log_analytics_destination_type: 'Dedicated',
      enabled_log: [{ category: 'JobLogs' }, { category: 'JobStreams' }],
    });
  });
});
