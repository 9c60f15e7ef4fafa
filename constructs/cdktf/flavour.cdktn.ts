import type { TerraformFlavour } from './flavour-contract';

/**
 * The CDK Terrain flavour module (see flavour-contract.ts): what `./flavour` is in
 * `asr-mobility-autoupdate/cdktn`. May import `cdktn` and `@cdktn/provider-azurerm/lib/<resource>`.
 */
export const TERRAFORM_FLAVOUR: TerraformFlavour = {
  name: 'cdktn',
  bindings: '@cdktn/provider-azurerm',
};
