import { Vault } from '@pulumi/azure-native/recoveryservices';
import * as pulumi from '@pulumi/pulumi';
import {
  resolveExistingVault,
  type ExistingVaultOptions,
  type ExistingVaultSpec,
  type Finding,
  type RecoveryVaultProps,
  type RecoveryVaultSpec,
  type Suppression,
  type VaultFacts,
  resolveRecoveryVaultBlock,
} from '../domain/internal';
import {
  addDiagnosticSettings,
  addLock,
  PACKAGE,
  reportWarnings,
  resolveAlone,
  state,
  tagsOrUndefined,
  type Ref,
  PULUMI_BLOCKS,
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

/**
 * A vault the automation component can serve: one this library manages ({@link RecoveryVault}) or
 * an existing one ({@link RecoveryVault.fromVaultId}).
 */
export interface IRecoveryVault {
  /** The vault's resource id: the vault's output for a managed vault, the literal id for an existing one. */
  readonly vaultId: pulumi.Output<string>;
  /** What the automation derives its defaults from. */
  readonly spec: VaultFacts<Ref>;
}

/** An existing vault, known by its id (see {@link RecoveryVault.fromVaultId}); nothing is registered for it. */
export class ExistingRecoveryVault implements IRecoveryVault {
  readonly spec: ExistingVaultSpec;
  readonly vaultId: pulumi.Output<string>;
  readonly vaultName: string;
  readonly resourceGroupName: string;

  /** @internal use {@link RecoveryVault.fromVaultId}, which validates the id. */
  constructor(spec: ExistingVaultSpec) {
    this.spec = spec;
    this.vaultId = pulumi.output(spec.resourceId);
    this.vaultName = spec.name;
    this.resourceGroupName = spec.resourceGroupName;
  }
}

// How the domain recognises this class's instances as references (domain/blocks.ts).
PULUMI_BLOCKS.brand.mark(ExistingRecoveryVault, 'ExistingRecoveryVault');

/** A Recovery Services vault for Site Recovery, with its lock and diagnostic settings. */
export class RecoveryVault extends pulumi.ComponentResource implements IRecoveryVault {
  /**
   * A vault that already exists, by its resource id, for {@link AutoUpdateAutomation}: nothing is
   * registered for it. The id is validated (a `Microsoft.RecoveryServices/vaults` id); what an id does
   * not tell is asked for: `sourceRegion` (or `timeZone`), whose midnight the nightly run follows,
   * and optionally `location`, where the account goes. Throws a `ValidationError` naming each bad prop.
   */
  static fromVaultId(vaultResourceId: string, options: ExistingVaultOptions): ExistingRecoveryVault {
    return new ExistingRecoveryVault(
      resolveAlone('RecoveryVault.fromVaultId', (rules) =>
        resolveExistingVault(rules, { ...options, vaultResourceId }, true),
      ),
    );
  }

  readonly spec: RecoveryVaultSpec<Ref>;
  readonly vault: Vault;
  readonly vaultId: pulumi.Output<string>;
  readonly vaultName: pulumi.Output<string>;
  readonly resourceGroupName: Ref;
  /** The policy warnings this component reported (none when a scenario checked it). */
  readonly warnings: readonly Finding[];

  constructor(name: string, args: RecoveryVaultArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before anything is registered.
    const [spec, warnings] = resolveRecoveryVaultBlock(PULUMI_BLOCKS, args);
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

// How the domain recognises this class's instances as references (domain/blocks.ts).
PULUMI_BLOCKS.brand.mark(RecoveryVault, 'RecoveryVault');
