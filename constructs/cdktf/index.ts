/**
 * Terraform constructs (provider azurerm), one source for two flavours: CDK for Terraform
 * (`asr-mobility-autoupdate/cdktf`) and CDK Terrain (`asr-mobility-autoupdate/cdktn`).
 */
export * from './a2a-replication';
export * from './auto-update-automation';
export * from './recovery-vault';
export * from './scenarios';
export * from './vmware-replication';
export { reportWarnings } from './shared';
export { TERRAFORM_FLAVOUR } from './flavour';
export type { TerraformFlavour } from './flavour-contract';
