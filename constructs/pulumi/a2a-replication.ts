import {
  ReplicationFabric,
  ReplicationNetworkMapping,
  ReplicationPolicy,
  ReplicationProtectionContainerMapping,
} from '@pulumi/azure-native/recoveryservices';
import { Resource } from '@pulumi/azure-native/resources';
import * as pulumi from '@pulumi/pulumi';
import {
  parseResourceId,
  SITE_RECOVERY_API_VERSION,
  type A2AReplicationProps,
  type A2AReplicationSpec,
  type Finding,
  type Suppression,
  resolveA2AReplicationBlock,
} from '../domain/internal';
import { AutoUpdateAutomation } from './auto-update-automation';
import type { RecoveryVault } from './recovery-vault';
import { PACKAGE, reportWarnings, type Ref, PULUMI_BLOCKS } from './shared';

/** Args of {@link A2AReplication}. */
export type A2AReplicationArgs = A2AReplicationProps<Ref> & {
  /**
   * Reasoned exceptions to warning rules this component runs.
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
 * Azure-to-Azure replication: a fabric and a protection container per region, an A2A policy, and
 * container mappings in both directions, each with the auto-update setting and always
 * `automationAccountAuthenticationType: SystemAssignedIdentity` (azure-native's input helper would
 * otherwise fill in the retired `RunAsAccount`).
 */
export class A2AReplication extends pulumi.ComponentResource {
  readonly spec: A2AReplicationSpec<Ref>;
  readonly fabrics: { readonly source: ReplicationFabric; readonly target: ReplicationFabric };
  /** Generic ARM resources: azure-native 3.x has no Site Recovery protection container type. */
  readonly containers: { readonly source: Resource; readonly target: Resource };
  readonly policy: ReplicationPolicy;
  readonly mappings: readonly ReplicationProtectionContainerMapping[];
  readonly networkMappings: readonly ReplicationNetworkMapping[];
  /** The policy warnings this component reported (none when a scenario checked it). */
  readonly warnings: readonly Finding[];

  constructor(name: string, args: A2AReplicationArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before anything is registered.
    const [spec, warnings] = resolveA2AReplicationBlock(PULUMI_BLOCKS, args);
    super(`${PACKAGE}:recoveryservices:A2AReplication`, name, {}, opts);
    const { vault, automation } = args;
    this.spec = spec;
    this.warnings = warnings;
    const common = { resourceGroupName: vault.resourceGroupName, resourceName: vault.vaultName };

    const fabric = (side: 'source' | 'target') =>
      new ReplicationFabric(
        `${name}-fabric-${side}`,
        {
          ...common,
          fabricName: spec.fabrics[side].name,
          properties: { customDetails: { instanceType: 'Azure', location: spec.fabrics[side].location } },
        },
        { parent: this },
      );
    this.fabrics = { source: fabric('source'), target: fabric('target') };

    const container = (side: 'source' | 'target') =>
      new Resource(
        `${name}-container-${side}`,
        {
          resourceGroupName: vault.resourceGroupName,
          resourceProviderNamespace: 'Microsoft.RecoveryServices',
          parentResourcePath: pulumi.interpolate`vaults/${vault.vaultName}/replicationFabrics/${this.fabrics[side].name}`,
          resourceType: 'replicationProtectionContainers',
          resourceName: spec.containers[side],
          apiVersion: SITE_RECOVERY_API_VERSION,
          properties: { providerSpecificInput: [{ instanceType: 'A2A' }] },
        },
        { parent: this },
      );
    this.containers = { source: container('source'), target: container('target') };

    this.policy = new ReplicationPolicy(
      `${name}-policy`,
      {
        ...common,
        policyName: spec.policy.name,
        properties: {
          providerSpecificInput: {
            instanceType: 'A2A',
            recoveryPointHistory: spec.policy.recoveryPointRetentionInMinutes,
            appConsistentFrequencyInMinutes: spec.policy.applicationConsistentSnapshotFrequencyInMinutes,
            multiVmSyncStatus: spec.policy.multiVmSyncEnabled ? 'Enable' : 'Disable',
          },
        },
      },
      { parent: this },
    );

    this.mappings = spec.mappings.map((m) => {
      const u = m.autoUpdate;
      return new ReplicationProtectionContainerMapping(
        `${name}-mapping-${m.name}`,
        {
          ...common,
          fabricName: this.fabrics[m.from].name,
          protectionContainerName: this.containers[m.from].name,
          mappingName: m.name,
          properties: {
            policyId: this.policy.id,
            targetProtectionContainerId: this.containers[m.to].id,
            providerSpecificInput: u.enabled
              ? {
                  instanceType: 'A2A',
                  agentAutoUpdateStatus: 'Enabled',
                  automationAccountArmId:
                    u.automationAccount.kind === 'managed'
                      ? automation!.automationAccountId
                      : u.automationAccount.resourceId,
                  automationAccountAuthenticationType: u.authenticationType,
                }
              : {
                  instanceType: 'A2A',
                  agentAutoUpdateStatus: 'Disabled',
                  automationAccountAuthenticationType: 'SystemAssignedIdentity',
                },
          },
        },
        { parent: this },
      );
    });

    this.networkMappings = spec.networkMappings.map(
      (n) =>
        new ReplicationNetworkMapping(
          `${name}-network-mapping-${n.name}`,
          {
            ...common,
            fabricName: this.fabrics[n.from].name,
            // A referenced network's name is read from its id once the id is known.
            networkName:
              n.sourceNetworkName ??
              pulumi
                .output(n.sourceNetworkResourceId)
                .apply((id) => parseResourceId(id)?.name ?? id.split('/').pop() ?? ''),
            networkMappingName: n.name,
            properties: {
              recoveryFabricName: this.fabrics[n.from === 'source' ? 'target' : 'source'].name,
              recoveryNetworkId: n.targetNetworkResourceId,
              fabricSpecificDetails: {
                instanceType: 'AzureToAzure',
                primaryNetworkId: n.sourceNetworkResourceId,
              },
            },
          },
          { parent: this },
        ),
    );
    reportWarnings(this, warnings);
    this.registerOutputs({ policyId: this.policy.id });
  }
}
