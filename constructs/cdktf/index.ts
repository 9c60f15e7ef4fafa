/** CDK for Terraform constructs (provider azurerm). */
export * from './a2a-replication';
export * from './auto-update-automation';
export * from './recovery-vault';
export * from './scenarios';
export * from './vmware-replication';
export { reportWarnings } from './shared';
export {
  AZURERM_RUNTIME_ENVIRONMENT_MIN_VERSION,
  AZURERM_VERSION_CONSTRAINT,
  type AutomationRuntimeEnvironment,
  type AutomationRuntimeEnvironmentConfig,
} from './runtime-environment';
