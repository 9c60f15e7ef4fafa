import { RecoveryServicesVault } from '@cdktf/provider-azurerm/lib/recovery-services-vault';
import { Construct } from 'constructs';
import {
  handedOver,
  resolveRecoveryVault,
  withoutRefs,
  type Finding,
  type RecoveryVaultProps,
  type RecoveryVaultSpec,
  type Suppression,
} from '../domain/internal';
import { addDiagnosticSettings, addLock, checkBlock, refOf, reportWarnings, resolveAlone } from './shared';

/**
 * Props of {@link RecoveryVault}: the domain props (a token such as `rg.name` is accepted where the
 * prop's TSDoc says so), and reasoned exceptions to the policy rules this block runs.
 */
export type RecoveryVaultConstructProps = RecoveryVaultProps & {
  /**
   * Reasoned exceptions to warning rules.
   * @default none
   */
  readonly suppressions?: readonly Suppression[];
};

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
  /** The policy warnings this block reported (none when a scenario checked it). */
  readonly warnings: readonly Finding[];

  constructor(scope: Construct, id: string, props: RecoveryVaultConstructProps) {
    // Validate before anything is added to the construct tree.
    const handed = handedOver<RecoveryVaultSpec>(props);
    const [spec, warnings] = handed
      ? [handed, []]
      : resolveAlone('RecoveryVault', (rules) => {
          const vault = resolveRecoveryVault(rules, withoutRefs(props, 'suppressions'));
          return [vault, checkBlock(rules, 'vault', { vault }, refOf(props, 'suppressions'))] as const;
        });
    super(scope, id);
    this.spec = spec;
    this.warnings = warnings;
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
    reportWarnings(this, warnings);
  }
}
