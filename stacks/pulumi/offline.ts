import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { load } from 'js-yaml';
import type { Clock } from '../../constructs/domain';
import { clockFromEnvironment, program } from './program';

/** One registered resource, as Pulumi's mock runtime saw it. */
export interface GraphNode {
  readonly type: string;
  readonly name: string;
  /** `<type>::<name>` of the parent component, or null at the top. */
  readonly parent: string | null;
  readonly inputs: Record<string, unknown>;
  /** Inputs Pulumi ignores after creation, when any. */
  readonly ignoreChanges?: readonly string[];
}

/** The offline preview of one stack: what `pulumi up` would register, with mocked cloud answers. */
export interface OfflinePreview {
  readonly offlinePreview: true;
  readonly note: string;
  readonly project: string;
  readonly stack: string;
  readonly resources: readonly GraphNode[];
}

const MOCK_SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';

/** Each azure-native type's ARM type and the input that carries its physical name. */
const RESOURCE_INFO: Record<string, { readonly armType: string; readonly nameInput: string }> = {
  'azure-native:recoveryservices:Vault': {
    armType: 'Microsoft.RecoveryServices/vaults',
    nameInput: 'vaultName',
  },
  'azure-native:automation:AutomationAccount': {
    armType: 'Microsoft.Automation/automationAccounts',
    nameInput: 'automationAccountName',
  },
  'azure-native:automation:RuntimeEnvironment': {
    armType: 'Microsoft.Automation/automationAccounts/runtimeEnvironments',
    nameInput: 'runtimeEnvironmentName',
  },
  'azure-native:automation:Runbook': {
    armType: 'Microsoft.Automation/automationAccounts/runbooks',
    nameInput: 'runbookName',
  },
  'azure-native:automation:Schedule': {
    armType: 'Microsoft.Automation/automationAccounts/schedules',
    nameInput: 'scheduleName',
  },
  'azure-native:automation:JobSchedule': {
    armType: 'Microsoft.Automation/automationAccounts/jobSchedules',
    nameInput: 'jobScheduleId',
  },
  'azure-native:authorization:RoleAssignment': {
    armType: 'Microsoft.Authorization/roleAssignments',
    nameInput: 'roleAssignmentName',
  },
  'azure-native:authorization:ManagementLockByScope': {
    armType: 'Microsoft.Authorization/locks',
    nameInput: 'lockName',
  },
  'azure-native:monitor:DiagnosticSetting': {
    armType: 'Microsoft.Insights/diagnosticSettings',
    nameInput: 'name',
  },
  'azure-native:monitor:MetricAlert': {
    armType: 'Microsoft.Insights/metricAlerts',
    nameInput: 'ruleName',
  },
  'azure-native:recoveryservices:ReplicationFabric': {
    armType: 'Microsoft.RecoveryServices/vaults/replicationFabrics',
    nameInput: 'fabricName',
  },
  'azure-native:recoveryservices:ReplicationPolicy': {
    armType: 'Microsoft.RecoveryServices/vaults/replicationPolicies',
    nameInput: 'policyName',
  },
  'azure-native:recoveryservices:ReplicationProtectionContainerMapping': {
    armType:
      'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectionContainerMappings',
    nameInput: 'mappingName',
  },
  'azure-native:recoveryservices:ReplicationNetworkMapping': {
    armType:
      'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationNetworks/replicationNetworkMappings',
    nameInput: 'networkMappingName',
  },
  'azure-native:operationalinsights:Table': {
    armType: 'Microsoft.OperationalInsights/workspaces/tables',
    nameInput: 'tableName',
  },
  'azure-native:monitor:DataCollectionEndpoint': {
    armType: 'Microsoft.Insights/dataCollectionEndpoints',
    nameInput: 'dataCollectionEndpointName',
  },
  'azure-native:monitor:DataCollectionRule': {
    armType: 'Microsoft.Insights/dataCollectionRules',
    nameInput: 'dataCollectionRuleName',
  },
  'azure-native:applicationinsights:Workbook': {
    armType: 'Microsoft.Insights/workbooks',
    nameInput: 'resourceName',
  },
  'azure-native:monitor:ScheduledQueryRule': {
    armType: 'Microsoft.Insights/scheduledQueryRules',
    nameInput: 'ruleName',
  },
  // What a platform team's own program creates next to the components (the examples do).
  'azure-native:resources:ResourceGroup': {
    armType: 'Microsoft.Resources/resourceGroups',
    nameInput: 'resourceGroupName',
  },
  'azure-native:operationalinsights:Workspace': {
    armType: 'Microsoft.OperationalInsights/workspaces',
    nameInput: 'workspaceName',
  },
  'azure-native:storage:StorageAccount': {
    armType: 'Microsoft.Storage/storageAccounts',
    nameInput: 'accountName',
  },
  'azure-native:storage:BlobContainer': {
    armType: 'Microsoft.Storage/storageAccounts/blobServices/containers',
    nameInput: 'containerName',
  },
  'azure-native:storage:Blob': {
    armType: 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs',
    nameInput: 'blobName',
  },
};

/** Physical name of a registered resource (its name input, else its logical name). */
export function physicalName(type: string, inputs: Record<string, unknown>, logical: string): string {
  const key = type === 'azure-native:resources:Resource' ? 'resourceName' : RESOURCE_INFO[type]?.nameInput;
  const value = key ? inputs[key] : undefined;
  return typeof value === 'string' ? value : logical;
}

/** The ARM type of a registered azure-native resource; generic resources carry theirs in their inputs. */
export function armType(type: string, inputs: Record<string, unknown>): string | undefined {
  if (type === 'azure-native:resources:Resource') {
    const parentTypes = String(inputs.parentResourcePath ?? '')
      .split('/')
      .filter((_, i) => i % 2 === 0);
    return [String(inputs.resourceProviderNamespace), ...parentTypes, String(inputs.resourceType)].join('/');
  }
  return RESOURCE_INFO[type]?.armType;
}

/** A SAS signature never leaves the preview, even a mocked one. */
const SECRET_SIG = '4dabf18193072939515e22adb298388d';

function redact(value: unknown): unknown {
  if (typeof value === 'string')
    return /[?&]sig=/.test(value) ? `${value.split('?')[0]}?[redacted SAS]` : value;
  // Pulumi marks secrets with a signature key; show them as such, redacted.
  if (value && typeof value === 'object' && SECRET_SIG in value)
    return { '[secret]': redact((value as unknown as { value: unknown }).value) };
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object')
    // A dynamic resource's provider is its serialized code (kilobytes, build-dependent): named, not shown.
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k === '__provider' ? '[serialized dynamic provider]' : redact(v),
      ]),
    );
  return value;
}

/**
 * A dynamic resource's provider is its serialized code (kilobytes, build-dependent) and RunbookContent's
 * content is the whole script: both are named, not shown (the script by its SHA-256, as an uploaded asset).
 */
function dynamicSummary(type: string, inputs: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!type.startsWith('pulumi-nodejs:dynamic/') || !inputs) return {};
  const content = inputs.content;
  return {
    __provider: '[serialized dynamic provider]',
    ...(typeof content === 'string'
      ? { content: { sha256: createHash('sha256').update(content, 'utf8').digest('hex').toUpperCase() } }
      : {}),
  };
}

const mocks: pulumi.runtime.Mocks = {
  newResource(args) {
    const name = physicalName(args.type, args.inputs, args.name);
    const rg = typeof args.inputs.resourceGroupName === 'string' ? args.inputs.resourceGroupName : 'rg';
    const arm = armType(args.type, args.inputs as Record<string, unknown>) ?? args.type;
    const id =
      args.custom === false
        ? undefined
        : `/subscriptions/${MOCK_SUBSCRIPTION}/resourceGroups/${rg}/providers/${arm}/${name}`;
    const state: Record<string, unknown> = { ...args.inputs, name };
    if (args.type === 'azure-native:automation:AutomationAccount')
      state.identity = { type: 'SystemAssigned', principalId: '11111111-1111-1111-1111-111111111111' };
    // What Azure answers for the estate's ingestion: the endpoint's URI and the rule's immutable id.
    if (args.type === 'azure-native:monitor:DataCollectionEndpoint')
      state.logsIngestion = { endpoint: `https://${name}.westeurope-1.ingest.monitor.azure.com` };
    if (args.type === 'azure-native:monitor:DataCollectionRule')
      state.immutableId = `dcr-${createHash('sha256').update(name).digest('hex').slice(0, 32)}`;
    if (args.type === 'azure-native:storage:StorageAccount')
      state.primaryEndpoints = { blob: `https://${name}.blob.core.windows.net/` };
    return { id, state };
  },
  call(args) {
    if (args.token === 'azure-native:storage:listStorageAccountServiceSAS')
      return { serviceSasToken: 'sv=offline&sp=r&sig=offline-preview' };
    // The deployer's token RunbookContent publishes with: a placeholder, never a token.
    if (args.token === 'azure-native:authorization:getClientToken')
      return { token: '[offline preview: not a token]' };
    throw new Error(`offline preview: no mock for ${args.token}`);
  },
};

/**
 * Runs the Pulumi program under Pulumi's mock runtime with the given stack config and returns
 * every registered resource with its parent and inputs. No cloud, no Pulumi service, no CLI.
 * Run it once per process: Pulumi's runtime state is global.
 */
export async function runOffline(
  config: Record<string, string>,
  opts: { project: string; stack: string; clock?: Clock },
): Promise<OfflinePreview> {
  const keys = Object.keys(config)
    .map((k) => k.replace(`${opts.project}:`, ''))
    .filter((k) => !k.includes(':'));
  return runOfflineProgram(
    () => program({ get: (key) => new pulumi.Config(opts.project).get(key), keys: () => keys }, opts.clock),
    {
      ...opts,
      config,
    },
  );
}

/** Runs any Pulumi program function under the mock runtime and returns what it registered. Run one at a time. */
export async function runOfflineProgram(
  run: () => void,
  opts: { project: string; stack: string; config?: Record<string, string> },
): Promise<OfflinePreview> {
  pulumi.runtime.setAllConfig(
    Object.fromEntries(
      Object.entries(opts.config ?? {}).map(([k, v]) => [k.includes(':') ? k : `${opts.project}:${k}`, v]),
    ),
  );
  const inputs = new Map<string, Record<string, unknown>>();
  const recorded: {
    type: string;
    name: string;
    parent?: pulumi.Resource;
    ignoreChanges?: string[];
    assetText?: Promise<string>;
  }[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        inputs.set(`${args.type}::${args.name}`, args.inputs as Record<string, unknown>);
        return mocks.newResource(args);
      },
      call: mocks.call,
    },
    opts.project,
    opts.stack,
    true,
  );
  let failure: unknown;
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      recorded.push({
        type: args.type,
        name: args.name,
        parent: args.opts.parent,
        ignoreChanges: args.opts.ignoreChanges,
        // An uploaded file is shown by its SHA-256, so the preview proves what would be uploaded.
        assetText: args.props.source instanceof pulumi.asset.StringAsset ? args.props.source.text : undefined,
      });
      return undefined;
    });
    try {
      run();
    } catch (e) {
      failure = e;
    }
    return {};
  });
  if (failure) throw failure;
  // Registrations finish asynchronously; wait (bounded) until every recorded resource has reached the mocks.
  for (let i = 0; i < 200 && recorded.some((r) => !inputs.has(`${r.type}::${r.name}`)); i++)
    await new Promise((r) => setTimeout(r, 10));
  const parentOf = async (r: pulumi.Resource | undefined): Promise<string | null> => {
    if (!r) return null;
    const urn = await new Promise<string>((res) => r.urn.apply((u) => (res(u), u)));
    // urn:pulumi:<stack>::<project>::<type path, $-separated>::<name>
    const [, , typePath = '', name] = urn.split('::');
    const type = typePath.split('$').pop();
    return type === 'pulumi:pulumi:Stack' ? null : `${type}::${name}`;
  };
  const resources: GraphNode[] = [];
  for (const r of recorded) {
    if (r.type === 'pulumi:pulumi:Stack') continue;
    resources.push({
      type: r.type,
      name: r.name,
      parent: await parentOf(r.parent),
      inputs: {
        ...(redact(inputs.get(`${r.type}::${r.name}`) ?? {}) as Record<string, unknown>),
        ...dynamicSummary(r.type, inputs.get(`${r.type}::${r.name}`)),
        ...(r.assetText
          ? {
              source: {
                stringAssetSha256: createHash('sha256')
                  .update(await r.assetText, 'utf8')
                  .digest('hex')
                  .toUpperCase(),
              },
            }
          : {}),
      },
      ...(r.ignoreChanges?.length ? { ignoreChanges: [...r.ignoreChanges] } : {}),
    });
  }
  return {
    offlinePreview: true,
    note: 'Offline preview: the Pulumi program run under Pulumi mocks. Cloud-computed values (ids, principal ids, SAS tokens) are placeholders; nothing was deployed.',
    project: opts.project,
    stack: opts.stack,
    resources,
  };
}

/** Reads a Pulumi.<stack>.yaml file into flat `key -> string` config, as the CLI would pass it. */
export function readStackFile(file: string): { stack: string; config: Record<string, string> } {
  const doc = (load(readFileSync(file, 'utf8')) ?? {}) as { config?: Record<string, unknown> };
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc.config ?? {}))
    config[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return { stack: basename(file).replace(/^Pulumi\.|\.ya?ml$/g, ''), config };
}

/** `node scripts/ts-run.js stacks/pulumi/offline.ts <Pulumi.stack.yaml> <out.json>` (used by `npm run synth`). */
export async function main(argv: string[]): Promise<void> {
  const [file, out] = argv;
  if (!file || !out) throw new Error('usage: offline.ts <Pulumi.<stack>.yaml> <out.json>');
  const project = String(
    (load(readFileSync(join(dirname(resolve(file)), 'Pulumi.yaml'), 'utf8')) as { name: string }).name,
  );
  const { stack, config } = readStackFile(file);
  const preview = await runOffline(config, { project, stack, clock: clockFromEnvironment() });
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, `${JSON.stringify(preview, null, 2)}\n`);
  console.log(
    `  ${stack.padEnd(8)} ${relative(process.cwd(), resolve(out))}  (${preview.resources.length} resources, offline preview)`,
  );
}
