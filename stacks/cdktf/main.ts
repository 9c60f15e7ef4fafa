import { App } from 'cdktf';
import { clockFrom, ConfigError, loadConfig } from '../config';
import { A2AStack, VmwareStack } from './stacks';

/**
 * The cdktf app: stacks `a2a` and `vmware`, configured from the `asr` key of cdktf.json's
 * context, or from environment variables (see ENVIRONMENT_VARIABLES in stacks/config.ts).
 */
export function buildApp(app: App = new App(), env: NodeJS.ProcessEnv = process.env): App {
  const config = loadConfig(app.node.tryGetContext('asr'), env);
  const settings = { subscriptionId: config.subscriptionId, backend: config.backend, clock: clockFrom(env) };
  if (!config.a2a && !config.vmware)
    throw new ConfigError('asr config', ['give at least one of a2a and vmware']);
  if (config.a2a) new A2AStack(app, 'a2a', config.a2a, settings);
  if (config.vmware) new VmwareStack(app, 'vmware', config.vmware, settings);
  return app;
}

/** Entry point for `cdktf synth` / `cdktf deploy` (cdktf.json runs it through scripts/ts-run.js). */
export function main(): void {
  buildApp().synth();
}
