import { SiteRecoveryFabric } from '@cdktf/provider-azurerm/lib/site-recovery-fabric';
import { SiteRecoveryNetworkMapping } from '@cdktf/provider-azurerm/lib/site-recovery-network-mapping';
import { SiteRecoveryProtectionContainer } from '@cdktf/provider-azurerm/lib/site-recovery-protection-container';
import { SiteRecoveryProtectionContainerMapping } from '@cdktf/provider-azurerm/lib/site-recovery-protection-container-mapping';
import { SiteRecoveryReplicationPolicy } from '@cdktf/provider-azurerm/lib/site-recovery-replication-policy';
import { Construct } from 'constructs';
import {
  type A2AReplicationProps,
  type A2AReplicationSpec,
  type Finding,
  type Suppression,
  resolveA2AReplicationBlock,
} from '../domain/internal';
import { AutoUpdateAutomation } from './auto-update-automation';
import type { RecoveryVault } from './recovery-vault';
import { reportWarnings, TERRAFORM_BLOCKS } from './shared';

/** Props of {@link A2AReplication}. */
export type A2AReplicationConstructProps = A2AReplicationProps & {
  /**
   * Reasoned exceptions to warning rules this block runs.
   * @default none
   */
  readonly suppressions?: readonly Suppression[];
  readonly vault: RecoveryVault;
  /**
   * The automation account the library manages, when the vault's extension update settings use it.
   * @default none: required when auto-update is on and no existing account id is set on the vault
   */
  readonly automation?: AutoUpdateAutomation;
};

/**
 * Azure-to-Azure replication: a fabric and a protection container per region, an A2A policy,
 * and container mappings in both directions, each carrying the auto-update setting with the
 * managed identity (`SystemAssignedIdentity`), never the retired Run As account.
 */
export class A2AReplication extends Construct {
  readonly spec: A2AReplicationSpec;
  readonly fabrics: { readonly source: SiteRecoveryFabric; readonly target: SiteRecoveryFabric };
  readonly containers: {
    readonly source: SiteRecoveryProtectionContainer;
    readonly target: SiteRecoveryProtectionContainer;
  };
  readonly policy: SiteRecoveryReplicationPolicy;
  readonly mappings: readonly SiteRecoveryProtectionContainerMapping[];
  readonly networkMappings: readonly SiteRecoveryNetworkMapping[];
  /** The policy warnings this block reported (none when a scenario checked it). */
  readonly warnings: readonly Finding[];

  constructor(scope: Construct, id: string, props: A2AReplicationConstructProps) {
    // Validate before anything is added to the construct tree.
    const [spec, warnings] = resolveA2AReplicationBlock(TERRAFORM_BLOCKS, props);
    super(scope, id);
    this.spec = spec;
    this.warnings = warnings;
    const { vault, automation } = props;
    const common = { resourceGroupName: vault.resourceGroupName, recoveryVaultName: vault.vaultName };

    const fabric = (side: 'source' | 'target', cid: string) =>
      new SiteRecoveryFabric(this, cid, {
        ...common,
        name: spec.fabrics[side].name,
        location: spec.fabrics[side].location,
      });
    this.fabrics = { source: fabric('source', 'SourceFabric'), target: fabric('target', 'TargetFabric') };
    const container = (side: 'source' | 'target', cid: string) =>
      new SiteRecoveryProtectionContainer(this, cid, {
        ...common,
        name: spec.containers[side],
        recoveryFabricName: this.fabrics[side].name,
      });
    this.containers = {
      source: container('source', 'SourceContainer'),
      target: container('target', 'TargetContainer'),
    };

    this.policy = new SiteRecoveryReplicationPolicy(this, 'Policy', {
      ...common,
      name: spec.policy.name,
      recoveryPointRetentionInMinutes: spec.policy.recoveryPointRetentionInMinutes,
      applicationConsistentSnapshotFrequencyInMinutes:
        spec.policy.applicationConsistentSnapshotFrequencyInMinutes,
    });

    this.mappings = spec.mappings.map((m) => {
      const u = m.autoUpdate;
      return new SiteRecoveryProtectionContainerMapping(
        this,
        m.key === 'sourceToTarget' ? 'MappingSourceToTarget' : 'MappingTargetToSource',
        {
          ...common,
          name: m.name,
          recoveryFabricName: this.fabrics[m.from].name,
          recoverySourceProtectionContainerName: this.containers[m.from].name,
          recoveryTargetProtectionContainerId: this.containers[m.to].id,
          recoveryReplicationPolicyId: this.policy.id,
          // Always explicit: removing the block would not turn auto-update off, `enabled = false` does.
          automaticUpdate: u.enabled
            ? {
                enabled: true,
                automationAccountId:
                  u.automationAccount.kind === 'managed'
                    ? automation!.automationAccountId
                    : u.automationAccount.resourceId,
                authenticationType: u.authenticationType,
              }
            : { enabled: false },
        },
      );
    });

    this.networkMappings = spec.networkMappings.map(
      (n) =>
        new SiteRecoveryNetworkMapping(
          this,
          n.key === 'sourceToTarget' ? 'NetworkMappingSourceToTarget' : 'NetworkMappingTargetToSource',
          {
            ...common,
            name: n.name,
            sourceRecoveryFabricName: this.fabrics[n.from].name,
            targetRecoveryFabricName: this.fabrics[n.from === 'source' ? 'target' : 'source'].name,
            sourceNetworkId: n.sourceNetworkResourceId,
            targetNetworkId: n.targetNetworkResourceId,
          },
        ),
    );
    reportWarnings(this, warnings);
  }
}
