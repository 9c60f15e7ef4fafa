import { SiteRecoveryVmwareReplicationPolicy } from '@cdktf/provider-azurerm/lib/site-recovery-vmware-replication-policy';
import { SiteRecoveryVmwareReplicationPolicyAssociation } from '@cdktf/provider-azurerm/lib/site-recovery-vmware-replication-policy-association';
import { Construct } from 'constructs';
import {
  type Finding,
  type Suppression,
  type VmwareReplicationProps,
  type VmwareReplicationSpec,
  resolveVmwareReplicationBlock,
} from '../domain/internal';
import type { RecoveryVault } from './recovery-vault';
import { reportWarnings, TERRAFORM_BLOCKS } from './shared';

/** Props of {@link VmwareReplication}. */
export type VmwareReplicationConstructProps = VmwareReplicationProps & {
  readonly vault: RecoveryVault;
  /**
   * Reasoned exceptions to warning rules (ASR-E01 and ASR-W04 run in this block; errors cannot be suppressed).
   * @default none
   */
  readonly suppressions?: readonly Suppression[];
};

/**
 * VMware (modernized appliance) replication: an InMageRcm policy and its association with the
 * appliance's container. The replication appliance must be registered in the vault before the
 * association can be created. Agent auto-upgrade on the association cannot be set declaratively;
 * the runbook of {@link AutoUpdateAutomation} enforces it.
 */
export class VmwareReplication extends Construct {
  readonly spec: VmwareReplicationSpec;
  readonly policy: SiteRecoveryVmwareReplicationPolicy;
  readonly association: SiteRecoveryVmwareReplicationPolicyAssociation;
  /** The policy warnings this block reported (none when a scenario checked it). */
  readonly warnings: readonly Finding[];

  constructor(scope: Construct, id: string, props: VmwareReplicationConstructProps) {
    // Validate before anything is added to the construct tree.
    const [spec, warnings] = resolveVmwareReplicationBlock(TERRAFORM_BLOCKS, props);
    super(scope, id);
    this.spec = spec;
    this.warnings = warnings;
    this.policy = new SiteRecoveryVmwareReplicationPolicy(this, 'Policy', {
      name: spec.policy.name,
      recoveryVaultId: props.vault.vaultId,
      recoveryPointRetentionInMinutes: spec.policy.recoveryPointRetentionInMinutes,
      applicationConsistentSnapshotFrequencyInMinutes:
        spec.policy.applicationConsistentSnapshotFrequencyInMinutes,
    });
    this.association = new SiteRecoveryVmwareReplicationPolicyAssociation(this, 'PolicyAssociation', {
      name: spec.association.name,
      recoveryVaultId: props.vault.vaultId,
      policyId: this.policy.id,
    });
    reportWarnings(this, warnings);
  }
}
