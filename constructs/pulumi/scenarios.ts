import * as pulumi from '@pulumi/pulumi';
import {
  resolveA2AScenario,
  resolveVmwareScenario,
  type A2AScenarioProps,
  type A2AScenarioSpec,
  type VmwareScenarioProps,
  type VmwareScenarioSpec,
} from '../domain';
import { A2AReplication } from './a2a-replication';
import { AutoUpdateAutomation } from './auto-update-automation';
import { RecoveryVault } from './recovery-vault';
import { PACKAGE, reportWarnings } from './shared';
import { PULUMI_REQUIREMENTS, VmwareReplication } from './vmware-replication';

/**
 * The whole Azure-to-Azure arrangement: vault, automation account and runbook, and replication
 * both ways with auto-update on every mapping. Every prop is validated before anything is registered.
 */
export class A2AMobilityAutoUpdate extends pulumi.ComponentResource {
  readonly spec: A2AScenarioSpec;
  readonly vault: RecoveryVault;
  readonly automation?: AutoUpdateAutomation;
  readonly replication: A2AReplication;

  constructor(name: string, args: A2AScenarioProps, opts?: pulumi.ComponentResourceOptions) {
    const spec = resolveA2AScenario(args);
    super(`${PACKAGE}:scenarios:A2AMobilityAutoUpdate`, name, {}, opts);
    this.spec = spec;
    this.vault = new RecoveryVault(`${name}-vault`, { spec: spec.vault }, { parent: this });
    if (spec.automation)
      this.automation = new AutoUpdateAutomation(
        `${name}-automation`,
        { spec: spec.automation, vault: this.vault },
        { parent: this },
      );
    this.replication = new A2AReplication(
      `${name}-replication`,
      { spec: spec.replication, vault: this.vault, automation: this.automation },
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
  readonly spec: VmwareScenarioSpec;
  readonly vault: RecoveryVault;
  readonly automation?: AutoUpdateAutomation;
  readonly replication: VmwareReplication;

  constructor(name: string, args: VmwareScenarioProps, opts?: pulumi.ComponentResourceOptions) {
    const spec = resolveVmwareScenario(args, PULUMI_REQUIREMENTS);
    super(`${PACKAGE}:scenarios:VmwareMobilityAutoUpdate`, name, {}, opts);
    this.spec = spec;
    this.vault = new RecoveryVault(`${name}-vault`, { spec: spec.vault }, { parent: this });
    if (spec.automation)
      this.automation = new AutoUpdateAutomation(
        `${name}-automation`,
        { spec: spec.automation, vault: this.vault },
        { parent: this },
      );
    this.replication = new VmwareReplication(
      `${name}-replication`,
      { spec: spec.replication, vault: this.vault },
      { parent: this },
    );
    reportWarnings(this, spec.warnings);
    this.registerOutputs({
      vaultId: this.vault.vaultId,
      automationAccountId: this.automation?.automationAccountId,
    });
  }
}
