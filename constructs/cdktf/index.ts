/**
 * Terraform constructs (provider azurerm), one source for two flavours: CDK for Terraform
 * (`asr-mobility-autoupdate/cdktf`) and CDK Terrain (`asr-mobility-autoupdate/cdktn`).
 */
export * from './a2a-replication';
export * from './auto-update-automation';
export { EstateVisibility, type IngestionParameters } from './estate-visibility';
export * from './existing-vaults';
export * from './recovery-vault';
export * from './scenarios';
export * from './vmware-replication';
export { reportWarnings } from './shared';
export { AZURERM_RUNTIME_ENVIRONMENT_MIN_VERSION, AZURERM_VERSION_CONSTRAINT } from './runtime-environment';
export { TERRAFORM_FLAVOUR } from './flavour';
export type {
  RuntimeEnvironmentConfig,
  RuntimeEnvironmentResource,
  TerraformFlavour,
} from './flavour-contract';
