import { ReplicationPolicy } from '@pulumi/azure-native/recoveryservices';
import { Resource } from '@pulumi/azure-native/resources';
import * as pulumi from '@pulumi/pulumi';
import {
  SITE_RECOVERY_API_VERSION,
  type Finding,
  type Suppression,
  type VmwareReplicationProps,
  type VmwareReplicationSpec,
  resolveVmwareReplicationBlock,
} from '../domain/internal';
import type { RecoveryVault } from './recovery-vault';
import { PACKAGE, reportWarnings, PULUMI_BLOCKS } from './shared';

/** Args of {@link VmwareReplication}. */
export type VmwareReplicationArgs = VmwareReplicationProps & {
  readonly vault: RecoveryVault;
  /**
   * Reasoned exceptions to warning rules (ASR-E01 and ASR-W04 run in this component; errors cannot be suppressed).
   * @default none
   */
  readonly suppressions?: readonly Suppression[];
};

export { PULUMI_REQUIREMENTS } from './shared';

/** What azurerm sends as the target of a VMware (InMageRcm) policy association. */
const AZURE_TARGET_CONTAINER = 'Microsoft Azure';

/**
 * VMware (modernized appliance) replication: an InMageRcm policy and its association with the
 * registered appliance's container. azure-native cannot discover that container, so
 * `applianceFabricName` and `applianceContainerName` are required here, and the association is a
 * generic ARM resource (azure-native's mapping input has no InMageRcm form).
 */
export class VmwareReplication extends pulumi.ComponentResource {
  readonly spec: VmwareReplicationSpec;
  readonly policy: ReplicationPolicy;
  readonly association: Resource;
  /** The policy warnings this component reported (none when a scenario checked it). */
  readonly warnings: readonly Finding[];

  constructor(name: string, args: VmwareReplicationArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before anything is registered.
    const [spec, warnings] = resolveVmwareReplicationBlock(PULUMI_BLOCKS, args);
    if (!spec.appliance)
      throw new Error(
        'VmwareReplication: the spec has no appliance fabric and container; resolve it with applianceNamesRequired',
      );
    super(`${PACKAGE}:recoveryservices:VmwareReplication`, name, {}, opts);
    this.spec = spec;
    this.warnings = warnings;
    const { vault } = args;
    this.policy = new ReplicationPolicy(
      `${name}-policy`,
      {
        resourceGroupName: vault.resourceGroupName,
        resourceName: vault.vaultName,
        policyName: spec.policy.name,
        properties: {
          providerSpecificInput: {
            instanceType: 'InMageRcm',
            recoveryPointHistoryInMinutes: spec.policy.recoveryPointRetentionInMinutes,
            appConsistentFrequencyInMinutes: spec.policy.applicationConsistentSnapshotFrequencyInMinutes,
            crashConsistentFrequencyInMinutes: spec.policy.crashConsistentFrequencyInMinutes,
            enableMultiVmSync: spec.policy.multiVmSyncEnabled ? 'True' : 'False',
          },
        },
      },
      { parent: this },
    );
    this.association = new Resource(
      `${name}-policy-association`,
      {
        resourceGroupName: vault.resourceGroupName,
        resourceProviderNamespace: 'Microsoft.RecoveryServices',
        parentResourcePath: pulumi.interpolate`vaults/${vault.vaultName}/replicationFabrics/${spec.appliance.fabricName}/replicationProtectionContainers/${spec.appliance.containerName}`,
        resourceType: 'replicationProtectionContainerMappings',
        resourceName: spec.association.name,
        apiVersion: SITE_RECOVERY_API_VERSION,
        properties: {
          policyId: this.policy.id,
          targetProtectionContainerId: AZURE_TARGET_CONTAINER,
          providerSpecificInput: {},
        },
      },
      { parent: this },
    );
    reportWarnings(this, warnings);
    this.registerOutputs({ policyId: this.policy.id });
  }
}
