import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { A2AScenarioProps, Clock, VmwareScenarioProps } from '../constructs/domain';

/** Where a team keeps shared Terraform state (azurerm backend). */
export interface BackendConfig {
  readonly resourceGroupName: string;
  readonly storageAccountName: string;
  readonly containerName: string;
  /**
   * @default `asr-mobility-autoupdate-<stack>.tfstate`
   */
  readonly key?: string;
  /**
   * Authenticate to the state storage with Entra ID instead of an access key.
   * @default true
   */
  readonly useAzureadAuth?: boolean;
}

/** Everything the stacks read: one object under the `asr` context key of cdktf.json. */
export interface StacksConfig {
  /**
   * The A2A scenario (see `A2AScenarioProps`).
   * @default no a2a stack
   */
  readonly a2a?: A2AScenarioProps;
  /**
   * The VMware scenario (see `VmwareScenarioProps`).
   * @default no vmware stack
   */
  readonly vmware?: VmwareScenarioProps;
  /**
   * The subscription to deploy to.
   * @default the azurerm provider's own resolution (ARM_SUBSCRIPTION_ID)
   */
  readonly subscriptionId?: string;
  /**
   * Remote state.
   * @default local state
   */
  readonly backend?: BackendConfig;
}

/** Environment variables the stacks read, and what each one does. */
export const ENVIRONMENT_VARIABLES = {
  ASR_CONFIG: 'JSON, or @path to a JSON file, of the whole `asr` object; replaces the cdktf.json context',
  ASR_A2A: 'JSON, or @path to a JSON file, of the a2a scenario; replaces `asr.a2a`',
  ASR_VMWARE: 'JSON, or @path to a JSON file, of the vmware scenario; replaces `asr.vmware`',
  ASR_SUBSCRIPTION_ID: 'replaces `asr.subscriptionId`',
  ASR_BACKEND: 'JSON, or @path to a JSON file, of the azurerm backend; replaces `asr.backend`',
  ASR_NOW:
    'an ISO date-time used as "now" for the schedule start time (repeatable synth); default: the system clock',
  ASR_TERRAFORM_FLAVOUR:
    '`cdktf` or `cdktn`: the Terraform bindings the app runs with; default: those of the CLI that runs it (`cdktn synth` runs cdktn), else cdktf',
} as const;

function readJson(name: string, value: string, cwd: string): unknown {
  const text = value.startsWith('@') ? readFileSync(resolve(cwd, value.slice(1)), 'utf8') : value;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${name}: not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Merges the context (from cdktf.json) with the environment: each variable replaces its key.
 * Unknown keys are an error, so that a misspelt setting never silently falls back to a default.
 */
export function loadConfig(
  context: unknown,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): StacksConfig {
  let base: Record<string, unknown> = {};
  if (env.ASR_CONFIG) base = readJson('ASR_CONFIG', env.ASR_CONFIG, cwd) as Record<string, unknown>;
  else if (context !== undefined && context !== null) base = context as Record<string, unknown>;
  if (typeof base !== 'object' || base === null || Array.isArray(base))
    throw new Error('asr config must be a JSON object');
  const config: Record<string, unknown> = { ...base };
  if (env.ASR_A2A) config.a2a = readJson('ASR_A2A', env.ASR_A2A, cwd);
  if (env.ASR_VMWARE) config.vmware = readJson('ASR_VMWARE', env.ASR_VMWARE, cwd);
  if (env.ASR_BACKEND) config.backend = readJson('ASR_BACKEND', env.ASR_BACKEND, cwd);
  if (env.ASR_SUBSCRIPTION_ID) config.subscriptionId = env.ASR_SUBSCRIPTION_ID;
  const known = ['a2a', 'vmware', 'subscriptionId', 'backend', '$comment'];
  const unknown = Object.keys(config).filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw new Error(
      `asr config: unknown key(s) ${unknown.map((k) => `'${k}'`).join(', ')}; allowed: ${known.join(', ')}`,
    );
  return config as StacksConfig;
}

/** The clock: ASR_NOW when set (repeatable output), else the system clock. */
export function clockFrom(env: NodeJS.ProcessEnv = process.env): Clock {
  if (!env.ASR_NOW) return () => new Date();
  const fixed = new Date(env.ASR_NOW);
  if (Number.isNaN(fixed.getTime()))
    throw new Error(
      `ASR_NOW: received ${JSON.stringify(env.ASR_NOW)}; must be an ISO date-time such as 2026-01-01T00:00:00Z`,
    );
  return () => new Date(fixed.getTime());
}
