import { App } from 'cdktf';
import { clockFrom, ConfigError, loadConfig } from '../config';
import { A2AStack, ExistingStack, VmwareStack } from './stacks';

/**
 * The Terraform app: stacks `a2a`, `vmware` and `existing`, configured from the `asr` key of cdktf.json's
 * context, or from environment variables (see ENVIRONMENT_VARIABLES in stacks/config.ts). One source
 * for both flavours: `cdktf synth` runs it with the cdktf bindings, `cdktn synth` (which reads the same
 * cdktf.json) with the cdktn bindings, mapped by scripts/ts-run.js (ASR_TERRAFORM_FLAVOUR overrides).
 */
export function buildApp(app: App = new App(), env: NodeJS.ProcessEnv = process.env): App {
  const config = loadConfig(app.node.tryGetContext('asr'), env);
  const settings = { subscriptionId: config.subscriptionId, backend: config.backend, clock: clockFrom(env) };
  if (!config.a2a && !config.vmware && !config.existing)
    throw new ConfigError('asr config', ['give at least one of a2a, vmware and existing']);
  if (config.a2a) new A2AStack(app, 'a2a', config.a2a, settings);
  if (config.vmware) new VmwareStack(app, 'vmware', config.vmware, settings);
  if (config.existing) new ExistingStack(app, 'existing', config.existing, settings);
  return app;
}

/** Entry point for `cdktf synth|deploy` and `cdktn synth|deploy` (cdktf.json runs it through scripts/ts-run.js). */
export function main(): void {
  buildApp().synth();
}
