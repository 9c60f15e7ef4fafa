import { Construct } from 'constructs';
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
import { VmwareReplication } from './vmware-replication';
import { reportWarnings } from './shared';

/**
 * The whole Azure-to-Azure arrangement: vault, automation account and runbook, and replication
 * both ways with auto-update on every mapping. Every prop is validated before anything is created.
 */
export class A2AMobilityAutoUpdate extends Construct {
  readonly spec: A2AScenarioSpec;
  readonly vault: RecoveryVault;
  /** Absent when auto-update is off or an existing automation account is used. */
  readonly automation?: AutoUpdateAutomation;
  readonly replication: A2AReplication;

  constructor(scope: Construct, id: string, props: A2AScenarioProps) {
    // Validate before anything is added to the construct tree.
    const spec = resolveA2AScenario(props);
    super(scope, id);
    this.spec = spec;
    this.vault = new RecoveryVault(this, 'Vault', { spec: this.spec.vault });
    if (this.spec.automation)
      this.automation = new AutoUpdateAutomation(this, 'Automation', {
        spec: this.spec.automation,
        vault: this.vault,
      });
    this.replication = new A2AReplication(this, 'Replication', {
      spec: this.spec.replication,
      vault: this.vault,
      automation: this.automation,
    });
    reportWarnings(this, this.spec.warnings);
  }
}

/**
 * The whole VMware (modernized) arrangement: vault with classic VMware replication off, the
 * InMageRcm policy and its association, and the runbook that enforces agent auto-upgrade.
 */
export class VmwareMobilityAutoUpdate extends Construct {
  readonly spec: VmwareScenarioSpec;
  readonly vault: RecoveryVault;
  /** Absent only when manual agent upgrades were accepted behind private endpoints. */
  readonly automation?: AutoUpdateAutomation;
  readonly replication: VmwareReplication;

  constructor(scope: Construct, id: string, props: VmwareScenarioProps) {
    // Validate before anything is added to the construct tree.
    const spec = resolveVmwareScenario(props);
    super(scope, id);
    this.spec = spec;
    this.vault = new RecoveryVault(this, 'Vault', { spec: this.spec.vault });
    if (this.spec.automation)
      this.automation = new AutoUpdateAutomation(this, 'Automation', {
        spec: this.spec.automation,
        vault: this.vault,
      });
    this.replication = new VmwareReplication(this, 'Replication', {
      spec: this.spec.replication,
      vault: this.vault,
    });
    reportWarnings(this, this.spec.warnings);
  }
}
