import { SiteRecoveryVmwareReplicationPolicy } from '@cdktf/provider-azurerm/lib/site-recovery-vmware-replication-policy';
import { SiteRecoveryVmwareReplicationPolicyAssociation } from '@cdktf/provider-azurerm/lib/site-recovery-vmware-replication-policy-association';
import { Construct } from 'constructs';
import {
  hasSpec,
  resolveVmwareReplication,
  type VmwareReplicationProps,
  type VmwareReplicationSpec,
} from '../domain';
import type { RecoveryVault } from './recovery-vault';
import { refOf, resolveAlone, vaultSpecOf, withoutRefs } from './shared';

/** Props of {@link VmwareReplication}. */
export type VmwareReplicationConstructProps = (
  VmwareReplicationProps | { readonly spec: VmwareReplicationSpec }
) & {
  readonly vault: RecoveryVault;
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

  constructor(scope: Construct, id: string, props: VmwareReplicationConstructProps) {
    // Validate before anything is added to the construct tree.
    const vaultRef = refOf(props, 'vault');
    const spec = hasSpec<VmwareReplicationSpec>(props)
      ? props.spec
      : resolveAlone('VmwareReplication', (rules) => {
          vaultSpecOf(rules, vaultRef);
          return resolveVmwareReplication(rules, withoutRefs(props, 'vault'));
        });
    super(scope, id);
    this.spec = spec;
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
  }
}
