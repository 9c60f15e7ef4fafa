import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type {
  A2AScenarioProps,
  Clock,
  ExistingVaultsScenarioProps,
  VmwareScenarioProps,
} from '../constructs/domain';

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
   * The existing-vaults scenario (see `ExistingVaultsScenarioProps`): automation only, for vaults that already exist.
   * @default no existing stack
   */
  readonly existing?: ExistingVaultsScenarioProps;
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
  ASR_EXISTING: 'JSON, or @path to a JSON file, of the existing-vaults scenario; replaces `asr.existing`',
  ASR_SUBSCRIPTION_ID: 'replaces `asr.subscriptionId`',
  ASR_BACKEND: 'JSON, or @path to a JSON file, of the azurerm backend; replaces `asr.backend`',
  ASR_NOW:
    'an ISO date-time used as "now" for the schedule start time (repeatable synth); default: the system clock',
  ASR_TERRAFORM_FLAVOUR:
    '`cdktf` or `cdktn`: the Terraform bindings the app runs with; default: those of the CLI that runs it (`cdktn synth` runs cdktn), else cdktf',
} as const;

/**
 * Thrown by the stacks' configuration loaders (cdktf context and ASR_* variables; Pulumi stack
 * config) when the configuration cannot be read or has the wrong shape: a file that cannot be
 * read, text that is not JSON, an unknown key, a value of the wrong type. It lists every problem
 * at once. Mistakes inside a scenario's props are the domain's `ValidationError`.
 */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(source: string, problems: readonly string[]) {
    const noun = problems.length === 1 ? 'problem' : 'problems';
    super(`${source}: ${problems.length} ${noun}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** The JSON value of a variable: inline JSON, or `@path` to a JSON file. Problems are collected, not thrown. */
function readJson(name: string, value: string, cwd: string, problems: string[]): unknown {
  let text = value;
  if (value.startsWith('@')) {
    const file = value.slice(1);
    try {
      text = readFileSync(resolve(cwd, file), 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EISDIR'
            ? 'it is a directory'
            : code === 'EACCES'
              ? 'permission denied'
              : (code ?? 'unreadable');
      problems.push(
        `${name}: cannot read the file ${JSON.stringify(file)} (${why}); give JSON, or @path to a JSON file`,
      );
      return undefined;
    }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    problems.push(`${name}: not valid JSON (${(e as Error).message})`);
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const received = (v: unknown): string => {
  const text = v === undefined ? 'undefined' : (JSON.stringify(v) ?? String(typeof v));
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
};

const BACKEND_KEYS = ['resourceGroupName', 'storageAccountName', 'containerName', 'key', 'useAzureadAuth'];

/** The backend's own shape: it feeds the azurerm backend directly, not a domain resolver. */
function checkBackend(value: unknown, problems: string[]): void {
  if (!isObject(value)) {
    problems.push(
      `backend: received ${received(value)}; must be an object { resourceGroupName, storageAccountName, containerName }`,
    );
    return;
  }
  for (const key of Object.keys(value))
    if (!BACKEND_KEYS.includes(key))
      problems.push(`backend.${key}: is not a known setting; allowed: ${BACKEND_KEYS.join(', ')}`);
  for (const key of ['resourceGroupName', 'storageAccountName', 'containerName'])
    if (typeof value[key] !== 'string' || (value[key] as string).trim() === '')
      problems.push(`backend.${key}: received ${received(value[key])}; is required (a non-empty string)`);
  if (value.key !== undefined && (typeof value.key !== 'string' || value.key.trim() === ''))
    problems.push(`backend.key: received ${received(value.key)}; must be a non-empty string`);
  if (value.useAzureadAuth !== undefined && typeof value.useAzureadAuth !== 'boolean')
    problems.push(
      `backend.useAzureadAuth: received ${received(value.useAzureadAuth)}; must be true or false`,
    );
}

/**
 * Merges the context (from cdktf.json) with the environment: each variable replaces its key.
 * Unknown keys are an error, so that a misspelt setting never silently falls back to a default.
 * Throws one {@link ConfigError} listing every problem; the scenarios' props are left to the domain.
 */
export function loadConfig(
  context: unknown,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): StacksConfig {
  const problems: string[] = [];
  let base: unknown = {};
  if (env.ASR_CONFIG) base = readJson('ASR_CONFIG', env.ASR_CONFIG, cwd, problems) ?? {};
  else if (context !== undefined && context !== null) base = context;
  if (!isObject(base)) {
    problems.push(
      `${env.ASR_CONFIG ? 'ASR_CONFIG' : 'asr'}: received ${received(base)}; the asr config must be a JSON object`,
    );
    base = {};
  }
  const config: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  const fromEnv = (variable: string, key: string) => {
    const value = env[variable];
    if (!value) return;
    const parsed = readJson(variable, value, cwd, problems);
    if (parsed !== undefined) config[key] = parsed;
  };
  fromEnv('ASR_A2A', 'a2a');
  fromEnv('ASR_VMWARE', 'vmware');
  fromEnv('ASR_EXISTING', 'existing');
  fromEnv('ASR_BACKEND', 'backend');
  if (env.ASR_SUBSCRIPTION_ID) config.subscriptionId = env.ASR_SUBSCRIPTION_ID;
  const known = ['a2a', 'vmware', 'existing', 'subscriptionId', 'backend', '$comment'];
  const unknown = Object.keys(config).filter((k) => !known.includes(k));
  if (unknown.length > 0)
    problems.push(`unknown key(s) ${unknown.map((k) => `'${k}'`).join(', ')}; allowed: ${known.join(', ')}`);
  for (const key of ['a2a', 'vmware', 'existing'] as const) {
    if (Object.hasOwn(config, key) && !isObject(config[key]))
      problems.push(`${key}: received ${received(config[key])}; must be an object of the scenario's props`);
  }
  if (Object.hasOwn(config, 'subscriptionId')) {
    const id = config.subscriptionId;
    if (typeof id !== 'string' || id.trim() === '')
      problems.push(
        `subscriptionId: received ${received(id)}; must be a subscription id (a non-empty string)`,
      );
  }
  if (Object.hasOwn(config, 'backend')) checkBackend(config.backend, problems);
  if (problems.length > 0) throw new ConfigError('asr config', problems);
  return config as StacksConfig;
}

/** The clock: ASR_NOW when set (repeatable output), else the system clock. */
export function clockFrom(env: NodeJS.ProcessEnv = process.env): Clock {
  if (!env.ASR_NOW) return () => new Date();
  const fixed = new Date(env.ASR_NOW);
  if (Number.isNaN(fixed.getTime()))
    throw new ConfigError('environment', [
      `ASR_NOW: received ${JSON.stringify(env.ASR_NOW)}; must be an ISO date-time such as 2026-01-01T00:00:00Z`,
    ]);
  return () => new Date(fixed.getTime());
}
