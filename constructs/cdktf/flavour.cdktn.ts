import { AutomationRunbook } from '@cdktn/provider-azurerm/lib/automation-runbook';
import { AutomationRuntimeEnvironment } from '@cdktn/provider-azurerm/lib/automation-runtime-environment';
import type { TerraformFlavour } from './flavour-contract';
import { requireAzurermRuntimeEnvironments } from './runtime-environment';

/**
 * The CDK Terrain flavour module (see flavour-contract.ts): what `./flavour` is in
 * `asr-mobility-autoupdate/cdktn`. May import `cdktn` and `@cdktn/provider-azurerm/lib/<resource>`.
 * cdktn's bindings (azurerm 4.73.0) have runtime environments natively: no escape hatch and no raised
 * constraint, only the synth-time check that a user's own azurerm pin still admits them.
 */
export const TERRAFORM_FLAVOUR: TerraformFlavour = {
  name: 'cdktn',
  bindings: '@cdktn/provider-azurerm',
  bindingsAzurermVersion: '4.73.0',
  runtimeEnvironmentAzurermVersion: '4.73.0',
  addRuntimeEnvironment: (scope, id, config) => {
    const env = new AutomationRuntimeEnvironment(scope, id, {
      ...config,
      runtimeDefaultPackages: config.runtimeDefaultPackages
        ? { ...config.runtimeDefaultPackages }
        : undefined,
      tags: config.tags ? { ...config.tags } : undefined,
    });
    requireAzurermRuntimeEnvironments(env, false);
    return env;
  },
  linkRuntimeEnvironment: (runbook, environmentName) => {
    if (!(runbook instanceof AutomationRunbook)) {
      throw new TypeError(`${runbook.node.path} is not an azurerm_automation_runbook`);
    }
    runbook.runtimeEnvironmentName = environmentName;
    requireAzurermRuntimeEnvironments(runbook, false);
  },
};
