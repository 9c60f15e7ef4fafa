import { Vault } from '@pulumi/azure-native/recoveryservices';
import * as pulumi from '@pulumi/pulumi';
import {
  handedOver,
  resolveRecoveryVault,
  withoutRefs,
  type Finding,
  type RecoveryVaultProps,
  type RecoveryVaultSpec,
  type Suppression,
} from '../domain/internal';
import {
  addDiagnosticSettings,
  addLock,
  checkBlock,
  PACKAGE,
  refOf,
  reportWarnings,
  resolveAlone,
  state,
  tagsOrUndefined,
  type Ref,
} from './shared';

/**
 * Args of {@link RecoveryVault}: the domain props, where a prop that points at another resource
 * takes an `Input<string>` (`rg.name`, `law.id`), and reasoned exceptions to the policy rules.
 */
export type RecoveryVaultArgs = RecoveryVaultProps<Ref> & {
  /**
   * Reasoned exceptions to warning rules.
   * @default none
   */
  readonly suppressions?: readonly Suppression[];
};

/** A Recovery Services vault for Site Recovery, with its lock and diagnostic settings. */
export class RecoveryVault extends pulumi.ComponentResource {
  readonly spec: RecoveryVaultSpec<Ref>;
  readonly vault: Vault;
  readonly vaultId: pulumi.Output<string>;
  readonly vaultName: pulumi.Output<string>;
  readonly resourceGroupName: Ref;
  /** The policy warnings this component reported (none when a scenario checked it). */
  readonly warnings: readonly Finding[];

  constructor(name: string, args: RecoveryVaultArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before anything is registered.
    const handed = handedOver<RecoveryVaultSpec<Ref>>(args);
    const [spec, warnings] = handed
      ? [handed, []]
      : resolveAlone('RecoveryVault', (rules) => {
          const vault = resolveRecoveryVault<Ref>(rules, withoutRefs(args, 'suppressions'));
          return [vault, checkBlock(rules, 'vault', { vault }, refOf(args, 'suppressions'))] as const;
        });
    super(`${PACKAGE}:recoveryservices:RecoveryVault`, name, {}, opts);
    this.spec = spec;
    this.warnings = warnings;
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
    reportWarnings(this, warnings);
    this.registerOutputs({ vaultId: this.vaultId, vaultName: this.vaultName });
  }
}
