import { RecoveryServicesVault } from '@cdktf/provider-azurerm/lib/recovery-services-vault';
import { Construct } from 'constructs';
import { hasSpec, resolveRecoveryVault, type RecoveryVaultProps, type RecoveryVaultSpec } from '../domain';
import { addDiagnosticSettings, addLock, resolveAlone } from './shared';

/** Props of {@link RecoveryVault}: the domain props, or a spec the domain already resolved. */
export type RecoveryVaultConstructProps = RecoveryVaultProps | { readonly spec: RecoveryVaultSpec };

/** A Recovery Services vault for Site Recovery, with its lock and diagnostic settings. */
export class RecoveryVault extends Construct {
  /** The validated settings, defaults applied. */
  readonly spec: RecoveryVaultSpec;
  /** The vault resource (construct id `Resource`). */
  readonly resource: RecoveryServicesVault;
  /** The vault's resource id (known at deploy). */
  readonly vaultId: string;
  readonly vaultName: string;
  readonly resourceGroupName: string;

  constructor(scope: Construct, id: string, props: RecoveryVaultConstructProps) {
    // Validate before anything is added to the construct tree.
    const spec = hasSpec<RecoveryVaultSpec>(props)
      ? props.spec
      : resolveAlone('RecoveryVault', (rules) => resolveRecoveryVault(rules, props));
    super(scope, id);
    this.spec = spec;
    this.resource = new RecoveryServicesVault(this, 'Resource', {
      name: spec.name,
      resourceGroupName: spec.resourceGroupName,
      location: spec.location,
      sku: spec.sku,
      storageModeType: spec.storageModeType,
      crossRegionRestoreEnabled: spec.crossRegionRestoreEnabled,
      softDeleteEnabled: spec.softDeleteEnabled,
      publicNetworkAccessEnabled: spec.publicNetworkAccessEnabled,
      immutability: spec.immutability,
      classicVmwareReplicationEnabled: spec.classicVmwareReplicationEnabled,
      identity: spec.systemAssignedIdentityEnabled ? { type: 'SystemAssigned' } : undefined,
      monitoring: {
        alertsForAllJobFailuresEnabled: spec.alerts.allJobFailuresEnabled,
        alertsForCriticalOperationFailuresEnabled: spec.alerts.criticalOperationFailuresEnabled,
      },
      tags: Object.keys(spec.tags).length > 0 ? { ...spec.tags } : undefined,
    });
    this.vaultId = this.resource.id;
    this.vaultName = this.resource.name;
    this.resourceGroupName = spec.resourceGroupName;
    addLock(this, spec.lock, this.vaultId);
    addDiagnosticSettings(this, spec.diagnosticSettings, this.vaultId);
  }
}
