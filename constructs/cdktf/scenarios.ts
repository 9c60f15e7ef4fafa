import { Construct } from 'constructs';
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
import { VmwareReplication } from './vmware-replication';
import { reportWarnings, TERRAFORM_DEPLOY_TIME } from './shared';
import type { A2AReplicationConstructProps } from './a2a-replication';
import type { AutoUpdateAutomationConstructProps } from './auto-update-automation';
import type { RecoveryVaultConstructProps } from './recovery-vault';
import type { VmwareReplicationConstructProps } from './vmware-replication';

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
    const spec = resolveA2AScenario(props, TERRAFORM_DEPLOY_TIME);
    super(scope, id);
    this.spec = spec;
    // The blocks get the specs validated and checked above, through a path users cannot call.
    this.vault = new RecoveryVault(this, 'Vault', handOver<RecoveryVaultConstructProps>(spec.vault, {}));
    if (this.spec.automation)
      this.automation = new AutoUpdateAutomation(
        this,
        'Automation',
        handOver<AutoUpdateAutomationConstructProps>(this.spec.automation, { vault: this.vault }),
      );
    this.replication = new A2AReplication(
      this,
      'Replication',
      handOver<A2AReplicationConstructProps>(this.spec.replication, {
        vault: this.vault,
        automation: this.automation,
      }),
    );
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
    const spec = resolveVmwareScenario(props, {}, TERRAFORM_DEPLOY_TIME);
    super(scope, id);
    this.spec = spec;
    // The blocks get the specs validated and checked above, through a path users cannot call.
    this.vault = new RecoveryVault(this, 'Vault', handOver<RecoveryVaultConstructProps>(spec.vault, {}));
    if (this.spec.automation)
      this.automation = new AutoUpdateAutomation(
        this,
        'Automation',
        handOver<AutoUpdateAutomationConstructProps>(this.spec.automation, { vault: this.vault }),
      );
    this.replication = new VmwareReplication(
      this,
      'Replication',
      handOver<VmwareReplicationConstructProps>(this.spec.replication, { vault: this.vault }),
    );
    reportWarnings(this, this.spec.warnings);
  }
}
