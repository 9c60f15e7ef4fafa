/**
 * Every deliberate difference between what the Pulumi (azure-native) components and the CDK for
 * Terraform (azurerm) constructs declare for the same configuration, in one place. The parity test
 * allows these and fails on anything else.
 */
export interface EngineDifference {
  /** The ARM resource type the difference is about. */
  readonly armType: string;
  /** A whole resource only one engine declares, or one property only one engine can express. */
  readonly kind: 'resource' | 'property';
  /** The property, for `kind: 'property'`. */
  readonly property?: string;
  /** The engine that differs from the domain plan. */
  readonly engine: 'pulumi' | 'cdktf';
  readonly reason: string;
}

const hosting =
  "Only with automation.runbookHosting: 'storage' (the default, 'publish', puts the draft content and publishes it through " +
  "Resource Manager, as azurerm does, and declares no storage): azure-native's Runbook only accepts a content link, so the " +
  'Pulumi components then upload the runbook to a private blob (no anonymous access, HTTPS only, TLS 1.2) and link it ' +
  'through a short-lived read-only SAS; azurerm uploads the content inline. Not created when automation.runbookContentLink is given.';

export const ENGINE_DIFFERENCES: readonly EngineDifference[] = [
  { armType: 'Microsoft.Storage/storageAccounts', kind: 'resource', engine: 'pulumi', reason: hosting },
  {
    armType: 'Microsoft.Storage/storageAccounts/blobServices/containers',
    kind: 'resource',
    engine: 'pulumi',
    reason: hosting,
  },
  {
    armType: 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs',
    kind: 'resource',
    engine: 'pulumi',
    reason: hosting,
  },
  {
    armType: 'Microsoft.RecoveryServices/vaults',
    kind: 'property',
    property: 'classicVmwareReplicationEnabled',
    engine: 'pulumi',
    reason:
      'A new vault uses the modernized VMware experience unless a replicationVaultSettings resource selects the classic one; ' +
      'azure-native has no such resource, so "classic off" is expressed by sending nothing (azurerm has an explicit argument).',
  },
  {
    armType: 'Microsoft.OperationalInsights/workspaces/tables',
    kind: 'property',
    property: 'workspace',
    engine: 'pulumi',
    reason:
      "azure-native's Table addresses the workspace by resource group and name (read from visibility.workspaceResourceId) in its " +
      "provider's subscription, where azurerm takes the workspace's id: the Pulumi components declare the tables through an explicit " +
      "provider for the workspace's subscription (or the workspaceProvider given), so a central workspace in another subscription works in both.",
  },
];
