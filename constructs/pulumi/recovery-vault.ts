import { Vault } from '@pulumi/azure-native/recoveryservices';
import * as pulumi from '@pulumi/pulumi';
import {
  hasSpec,
  resolveAlone,
  resolveRecoveryVault,
  type RecoveryVaultProps,
  type RecoveryVaultSpec,
} from '../domain';
import { addDiagnosticSettings, addLock, PACKAGE, state, tagsOrUndefined } from './shared';

/** Args of {@link RecoveryVault}: the domain props, or a spec the domain already resolved. */
export type RecoveryVaultArgs = RecoveryVaultProps | { readonly spec: RecoveryVaultSpec };

/** A Recovery Services vault for Site Recovery, with its lock and diagnostic settings. */
export class RecoveryVault extends pulumi.ComponentResource {
  readonly spec: RecoveryVaultSpec;
  readonly vault: Vault;
  readonly vaultId: pulumi.Output<string>;
  readonly vaultName: pulumi.Output<string>;
  readonly resourceGroupName: string;

  constructor(name: string, args: RecoveryVaultArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before anything is registered.
    const spec = hasSpec<RecoveryVaultSpec>(args)
      ? args.spec
      : resolveAlone('RecoveryVault', (rules) => resolveRecoveryVault(rules, args));
    super(`${PACKAGE}:recoveryservices:RecoveryVault`, name, {}, opts);
    this.spec = spec;
    this.resourceGroupName = spec.resourceGroupName;
    // Classic VMware replication needs a separate vault setting; leaving it out keeps the vault modernized.
    this.vault = new Vault(
      `${name}-vault`,
      {
        vaultName: spec.name,
        resourceGroupName: spec.resourceGroupName,
        location: spec.location,
        sku: { name: spec.sku },
        identity: spec.systemAssignedIdentityEnabled ? { type: 'SystemAssigned' } : undefined,
        properties: {
          publicNetworkAccess: state(spec.publicNetworkAccessEnabled),
          redundancySettings: {
            standardTierStorageRedundancy: spec.storageModeType,
            crossRegionRestore: state(spec.crossRegionRestoreEnabled),
          },
          securitySettings: {
            softDeleteSettings: { softDeleteState: state(spec.softDeleteEnabled) },
            immutabilitySettings: { state: spec.immutability },
          },
          monitoringSettings: {
            azureMonitorAlertSettings: { alertsForAllJobFailures: state(spec.alerts.allJobFailuresEnabled) },
            classicAlertSettings: {
              alertsForCriticalOperations: state(spec.alerts.criticalOperationFailuresEnabled),
            },
          },
        },
        tags: tagsOrUndefined(spec.tags),
      },
      { parent: this },
    );
    this.vaultId = this.vault.id;
    this.vaultName = this.vault.name;
    addLock(this, name, spec.lock, this.vaultId);
    addDiagnosticSettings(this, name, spec.diagnosticSettings, this.vaultId);
    this.registerOutputs({ vaultId: this.vaultId, vaultName: this.vaultName });
  }
}
