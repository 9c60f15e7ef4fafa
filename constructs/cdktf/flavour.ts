import type { TerraformFlavour } from './flavour-contract';

/**
 * The CDK for Terraform flavour module (see flavour-contract.ts). The cdktn build and test project
 * load `flavour.cdktn.ts` in its place.
 */
export const TERRAFORM_FLAVOUR: TerraformFlavour = {
  name: 'cdktf',
  bindings: '@cdktf/provider-azurerm',
};
