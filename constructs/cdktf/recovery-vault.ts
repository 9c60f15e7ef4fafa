import { RecoveryServicesVault } from '@cdktf/provider-azurerm/lib/recovery-services-vault';
import { Construct } from 'constructs';
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
import { addDiagnosticSettings, addLock, reportWarnings, resolveAlone, TERRAFORM_BLOCKS } from './shared';

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

/**
 * A vault the automation building block can serve: one this library manages ({@link RecoveryVault})
 * or an existing one ({@link RecoveryVault.fromVaultId}).
 */
export interface IRecoveryVault {
  /** The vault's resource id: a reference for a managed vault, the literal id for an existing one. */
  readonly vaultId: string;
  /** What the automation derives its defaults from. */
  readonly spec: VaultFacts;
}

/** A Recovery Services vault for Site Recovery, with its lock and diagnostic settings. */
export class RecoveryVault extends Construct implements IRecoveryVault {
  /**
   * A vault that already exists, by its resource id, for {@link AutoUpdateAutomation}: nothing is
   * declared for it. The id is validated (a `Microsoft.RecoveryServices/vaults` id); what an id does
   * not tell is asked for: `sourceRegion` (or `timeZone`), whose midnight the nightly run follows,
   * and optionally `location`, where the account goes. Throws a `ValidationError` naming each bad prop.
   */
  static fromVaultId(
    scope: Construct,
    id: string,
    vaultResourceId: string,
    options: ExistingVaultOptions,
  ): ExistingRecoveryVault {
    const spec = resolveAlone('RecoveryVault.fromVaultId', (rules) =>
      resolveExistingVault(rules, { ...options, vaultResourceId }, true),
    );
    return new ExistingRecoveryVault(scope, id, spec);
  }

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
    const [spec, warnings] = resolveRecoveryVaultBlock(TERRAFORM_BLOCKS, props);
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

// How the domain recognises this class's instances as references (domain/blocks.ts).
TERRAFORM_BLOCKS.brand.mark(RecoveryVault, 'RecoveryVault');

/** An existing vault, known by its id (see {@link RecoveryVault.fromVaultId}); it declares no resource. */
export class ExistingRecoveryVault extends Construct implements IRecoveryVault {
  readonly spec: ExistingVaultSpec;
  readonly vaultId: string;
  readonly vaultName: string;
  readonly resourceGroupName: string;

  /** @internal use {@link RecoveryVault.fromVaultId}, which validates the id. */
  constructor(scope: Construct, id: string, spec: ExistingVaultSpec) {
    super(scope, id);
    this.spec = spec;
    this.vaultId = spec.resourceId;
    this.vaultName = spec.name;
    this.resourceGroupName = spec.resourceGroupName;
  }
}

// How the domain recognises this class's instances as references (domain/blocks.ts).
TERRAFORM_BLOCKS.brand.mark(ExistingRecoveryVault, 'ExistingRecoveryVault');
