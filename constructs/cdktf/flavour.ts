import { AutomationRunbook } from '@cdktf/provider-azurerm/lib/automation-runbook';
import type { TerraformFlavour } from './flavour-contract';
import {
  AutomationRuntimeEnvironment,
  AZURERM_VERSION_CONSTRAINT,
  linkRuntimeEnvironment,
} from './runtime-environment';

/**
 * The CDK for Terraform flavour module (see flavour-contract.ts). The cdktn build and test project
 * load `flavour.cdktn.ts` in its place. cdktf's last bindings (azurerm 4.55.0) predate runtime
 * environments: they are declared through the escape hatches of runtime-environment.ts, which also
 * raise the stack's azurerm constraint.
 */
export const TERRAFORM_FLAVOUR: TerraformFlavour = {
  name: 'cdktf',
  bindings: '@cdktf/provider-azurerm',
  bindingsAzurermVersion: '4.55.0',
  runtimeEnvironmentAzurermVersion: AZURERM_VERSION_CONSTRAINT,
  addRuntimeEnvironment: (scope, id, config) => new AutomationRuntimeEnvironment(scope, id, config),
  linkRuntimeEnvironment: (runbook, environmentName) => {
    if (!(runbook instanceof AutomationRunbook)) {
      throw new TypeError(`${runbook.node.path} is not an azurerm_automation_runbook`);
    }
    linkRuntimeEnvironment(runbook, environmentName);
  },
};
