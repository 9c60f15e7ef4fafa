/** Pulumi components (provider azure-native). */
export * from './a2a-replication';
export * from './auto-update-automation';
export type { EstateVisibility } from './estate-visibility';
export * from './existing-vaults';
export * from './recovery-vault';
export * from './scenarios';
export * from './vmware-replication';
export { PACKAGE, reportWarnings } from './shared';
export * from './engine-differences';
export {
  previewOffline,
  type OfflinePreview,
  type OfflinePreviewOptions,
  type PreviewedResource,
} from './testing';
export type { WorkspaceProviderArgs } from './workspace-provider';
export { RunbookContent, type RunbookContentArgs } from './runbook-content';
