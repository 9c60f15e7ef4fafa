import * as pulumi from '@pulumi/pulumi';
import {
  handOver,
  resolveA2AScenario,
  resolveVmwareScenario,
  type A2AScenarioProps,
  type A2AScenarioSpec,
  type VmwareScenarioProps,
  type VmwareScenarioSpec,
} from '../domain/internal';
import { A2AReplication } from './a2a-replication';
import { AutoUpdateAutomation } from './auto-update-automation';
import { RecoveryVault } from './recovery-vault';
import { PACKAGE, PULUMI_DEPLOY_TIME, reportWarnings, type Ref } from './shared';
import type { A2AReplicationArgs } from './a2a-replication';
import type { AutoUpdateAutomationArgs } from './auto-update-automation';
import type { RecoveryVaultArgs } from './recovery-vault';
import type { VmwareReplicationArgs } from './vmware-replication';
import { PULUMI_REQUIREMENTS, VmwareReplication } from './vmware-replication';
import { splitWorkspaceProvider, type WorkspaceProviderArgs } from './workspace-provider';

/**
 * The whole Azure-to-Azure arrangement: vault, automation account and runbook, and replication
 * both ways with auto-update on every mapping. Every prop is validated before anything is registered.
 */
export class A2AMobilityAutoUpdate extends pulumi.ComponentResource {
  readonly spec: A2AScenarioSpec<Ref>;
  readonly vault: RecoveryVault;
  readonly automation?: AutoUpdateAutomation;
  readonly replication: A2AReplication;

  constructor(
    name: string,
    args: A2AScenarioProps<Ref> & WorkspaceProviderArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    const { provider: workspaceProvider, props } = splitWorkspaceProvider(args);
    const spec = resolveA2AScenario<Ref>(props, PULUMI_DEPLOY_TIME);
    super(`${PACKAGE}:scenarios:A2AMobilityAutoUpdate`, name, {}, opts);
    this.spec = spec;
    // The components get the specs validated and checked above, through a path users cannot call.
    this.vault = new RecoveryVault(`${name}-vault`, handOver<RecoveryVaultArgs>(spec.vault, {}), {
      parent: this,
    });
    if (spec.automation)
      this.automation = new AutoUpdateAutomation(
        `${name}-automation`,
        handOver<AutoUpdateAutomationArgs>(spec.automation, { vault: this.vault, workspaceProvider }),
        { parent: this },
      );
    this.replication = new A2AReplication(
      `${name}-replication`,
      handOver<A2AReplicationArgs>(spec.replication, { vault: this.vault, automation: this.automation }),
      { parent: this },
    );
    reportWarnings(this, spec.warnings);
    this.registerOutputs({
      vaultId: this.vault.vaultId,
      automationAccountId: this.automation?.automationAccountId,
    });
  }
}

/**
 * The whole VMware (modernized) arrangement: vault, the InMageRcm policy and its association, and
 * the runbook that enforces agent auto-upgrade. The appliance's fabric and container names are required.
 */
export class VmwareMobilityAutoUpdate extends pulumi.ComponentResource {
  readonly spec: VmwareScenarioSpec<Ref>;
  readonly vault: RecoveryVault;
  readonly automation?: AutoUpdateAutomation;
  readonly replication: VmwareReplication;

  constructor(
    name: string,
    args: VmwareScenarioProps<Ref> & WorkspaceProviderArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    const { provider: workspaceProvider, props } = splitWorkspaceProvider(args);
    const spec = resolveVmwareScenario<Ref>(props, PULUMI_REQUIREMENTS, PULUMI_DEPLOY_TIME);
    super(`${PACKAGE}:scenarios:VmwareMobilityAutoUpdate`, name, {}, opts);
    this.spec = spec;
    // The components get the specs validated and checked above, through a path users cannot call.
    this.vault = new RecoveryVault(`${name}-vault`, handOver<RecoveryVaultArgs>(spec.vault, {}), {
      parent: this,
    });
    if (spec.automation)
      this.automation = new AutoUpdateAutomation(
        `${name}-automation`,
        handOver<AutoUpdateAutomationArgs>(spec.automation, { vault: this.vault, workspaceProvider }),
        { parent: this },
      );
    this.replication = new VmwareReplication(
      `${name}-replication`,
      handOver<VmwareReplicationArgs>(spec.replication, { vault: this.vault }),
      { parent: this },
    );
    reportWarnings(this, spec.warnings);
    this.registerOutputs({
      vaultId: this.vault.vaultId,
      automationAccountId: this.automation?.automationAccountId,
    });
  }
}
