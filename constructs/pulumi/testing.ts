import { createHash } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';

/**
 * Offline previews of a Pulumi program that composes these components: the program runs under
 * Pulumi's mock runtime (`pulumi.runtime.setMocks`), with answers shaped as Azure's, and every
 * resource it would register is returned with its parent and inputs. No cloud, no Pulumi service,
 * no CLI, no credentials: a platform team snapshot-tests its own stacks with it, as cdktf and cdktn
 * users do with `Testing.synth`.
 */

/**
 * One resource the program registered, as Pulumi's mock runtime saw it.
 * @public
 */
export interface PreviewedResource {
  /** The Pulumi type token, for example `azure-native:automation:Runbook`. */
  readonly type: string;
  /** The logical name given to the resource in the program. */
  readonly name: string;
  /** `<type>::<name>` of the parent component, or null at the top of the stack. */
  readonly parent: string | null;
  /**
   * The inputs the resource was registered with, resolved, with secrets redacted: a Pulumi secret
   * shows as `{ "[secret]": "[redacted]" }` (see `OfflinePreviewOptions.revealSecrets`) and a SAS
   * signature in a URL as `?[redacted SAS]`. An uploaded
   * text asset shows as `{ stringAssetSha256: <hex> }`, the hash of the text that would be uploaded.
   */
  readonly inputs: Record<string, unknown>;
  /** Inputs Pulumi ignores after creation (the `ignoreChanges` option), when any. */
  readonly ignoreChanges?: readonly string[];
}

/**
 * What {@link previewOffline} returns: everything `pulumi up` would register, with mocked cloud answers.
 * @public
 */
export interface OfflinePreview {
  /** Always true: this is a preview under mocks, not a deployment's state. */
  readonly offlinePreview: true;
  /** Says what the preview is and is not (ids, principal ids and SAS tokens are placeholders). */
  readonly note: string;
  /** The project the program ran in (`OfflinePreviewOptions.project`). */
  readonly project: string;
  /** The stack the program ran in (`OfflinePreviewOptions.stack`). */
  readonly stack: string;
  /** Every registered resource but the stack itself, in registration order. */
  readonly resources: readonly PreviewedResource[];
}

/**
 * Options of {@link previewOffline}.
 * @public
 */
export interface OfflinePreviewOptions {
  /**
   * The Pulumi project name (what `Pulumi.yaml` names; it is also the namespace of unqualified config keys).
   * @default `'project'`
   */
  readonly project?: string;
  /**
   * The stack name.
   * @default `'stack'`
   */
  readonly stack?: string;
  /**
   * Stack configuration as the CLI passes it: `key` (read as `<project>:key`) or `namespace:key`,
   * to a string (JSON for structured values), for example `{ 'azure-native:location': 'westeurope' }`.
   * @default no configuration
   */
  readonly config?: Readonly<Record<string, string>>;
  /**
   * The subscription id of the mocked resource ids.
   * @default `'00000000-0000-0000-0000-000000000000'`
   */
  readonly subscriptionId?: string;
  /**
   * Show the values of Pulumi secrets, as `{ "[secret]": <value> }`, so that a test can check what a
   * secret input holds (a SAS signature in a URL stays redacted).
   * @default false: a secret shows as `{ "[secret]": "[redacted]" }`
   */
  readonly revealSecrets?: boolean;
}

/** Each azure-native type's ARM type and the input that carries its physical name. */
const RESOURCE_INFO: Readonly<Record<string, { readonly armType: string; readonly nameInput: string }>> = {
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
  'azure-native:authorization:RoleDefinition': {
    armType: 'Microsoft.Authorization/roleDefinitions',
    nameInput: 'roleDefinitionId',
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

/**
 * The physical (Azure) name of a registered resource: its name input (`vaultName`,
 * `automationAccountName`, ...), else its logical name.
 * @internal
 */
export function physicalName(type: string, inputs: Record<string, unknown>, logical: string): string {
  const key = type === 'azure-native:resources:Resource' ? 'resourceName' : RESOURCE_INFO[type]?.nameInput;
  const value = key ? inputs[key] : undefined;
  return typeof value === 'string' ? value : logical;
}

/**
 * The ARM type of a registered azure-native resource; generic resources carry theirs in their inputs.
 * @internal
 */
export function armType(type: string, inputs: Record<string, unknown>): string | undefined {
  if (type === 'azure-native:resources:Resource') {
    const parentTypes = String(inputs.parentResourcePath ?? '')
      .split('/')
      .filter((_, i) => i % 2 === 0);
    return [String(inputs.resourceProviderNamespace), ...parentTypes, String(inputs.resourceType)].join('/');
  }
  return RESOURCE_INFO[type]?.armType;
}

/** Pulumi marks a secret with this signature key (the SDK's `specialSecretSig`). */
const SECRET_SIG = '4dabf18193072939515e22adb298388d';

/** A SAS signature never leaves the preview, even a mocked one; nor a secret's value, unless revealed. */
function redact(value: unknown, revealSecrets: boolean): unknown {
  if (typeof value === 'string')
    return /[?&]sig=/.test(value) ? `${value.split('?')[0]}?[redacted SAS]` : value;
  if (value && typeof value === 'object' && SECRET_SIG in value)
    return {
      '[secret]': revealSecrets ? redact((value as { value?: unknown }).value, revealSecrets) : '[redacted]',
    };
  if (Array.isArray(value)) return value.map((v) => redact(v, revealSecrets));
  if (value && typeof value === 'object')
    // A dynamic resource's provider is its serialized code (kilobytes, build-dependent): named, not shown.
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k === '__provider' ? '[serialized dynamic provider]' : redact(v, revealSecrets),
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

/**
 * Pulumi mocks that answer as Azure would for what these components and a typical platform
 * program register: ARM-shaped ids (`/subscriptions/<id>/resourceGroups/<rg>/providers/<type>/<name>`),
 * the automation account's system-assigned identity, the data collection endpoint's ingestion URI,
 * the rule's immutable id, the storage account's blob endpoint and a (redacted) service SAS.
 */
function azureMocks(subscriptionId: string): pulumi.runtime.Mocks {
  return {
    newResource(args) {
      const name = physicalName(args.type, args.inputs as Record<string, unknown>, args.name);
      const rg = typeof args.inputs.resourceGroupName === 'string' ? args.inputs.resourceGroupName : 'rg';
      const arm = armType(args.type, args.inputs as Record<string, unknown>) ?? args.type;
      const id =
        args.custom === false
          ? undefined
          : args.type === 'azure-native:resources:ResourceGroup'
            ? `/subscriptions/${subscriptionId}/resourceGroups/${name}`
            : `/subscriptions/${subscriptionId}/resourceGroups/${rg}/providers/${arm}/${name}`;
      const state: Record<string, unknown> = { ...args.inputs, name };
      if (args.type === 'azure-native:automation:AutomationAccount')
        state.identity = { type: 'SystemAssigned', principalId: '11111111-1111-1111-1111-111111111111' };
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
}

/**
 * Runs a Pulumi program under Pulumi's mock runtime and returns every resource it registered, with
 * its parent and inputs (resolved, secrets redacted). Nothing is deployed and nothing leaves the
 * process: ids are ARM-shaped placeholders in a mocked subscription, and the automation account's
 * principal id, the ingestion endpoint and SAS tokens are placeholders too.
 *
 * @remarks
 * Pulumi's runtime state is global to the process: run one preview at a time (await each). The
 * program is the body of your `index.ts` as a function; to preview a program file as it is,
 * `require` it inside the function (in Jest, inside `jest.isolateModules`, so that each preview
 * loads it afresh). A program that throws, or a component whose validation fails, rejects the
 * returned promise with that error.
 *
 * @example
 * ```ts
 * import { previewOffline } from 'asr-mobility-autoupdate/pulumi';
 *
 * const preview = await previewOffline(() => require('./index'), { project: 'dr', stack: 'prod' });
 * expect(preview.resources.filter((r) => r.type === 'azure-native:recoveryservices:Vault')).toHaveLength(2);
 * ```
 *
 * @param program - the program: registers resources when called (it may return a promise)
 * @param options - project, stack, configuration and subscription of the preview
 * @public
 */
export async function previewOffline(
  program: () => unknown,
  options: OfflinePreviewOptions = {},
): Promise<OfflinePreview> {
  const project = options.project ?? 'project';
  const stack = options.stack ?? 'stack';
  pulumi.runtime.setAllConfig(
    Object.fromEntries(
      Object.entries(options.config ?? {}).map(([k, v]) => [k.includes(':') ? k : `${project}:${k}`, v]),
    ),
  );
  const mocks = azureMocks(options.subscriptionId ?? '00000000-0000-0000-0000-000000000000');
  const inputs = new Map<string, Record<string, unknown>>();
  const recorded: Recorded[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        inputs.set(`${args.type}::${args.name}`, args.inputs as Record<string, unknown>);
        return mocks.newResource(args);
      },
      call: mocks.call,
    },
    project,
    stack,
    true,
  );
  // A value refused once known (a component's deploy-time check), or a failed registration, surfaces
  // as a rejected promise nobody awaits: collect them while the preview runs, and fail with the first.
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown): void => void rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  try {
    return await record(
      program,
      { project, stack, revealSecrets: options.revealSecrets ?? false },
      inputs,
      recorded,
      rejections,
    );
  } finally {
    process.off('unhandledRejection', onRejection);
  }
}

/** A Pulumi error's message without its `error serializing property "x": ` prefixes, one per enclosing value. */
function rootMessage(reason: unknown): string {
  const message = reason instanceof Error ? reason.message : String(reason);
  return message.replace(/^(error serializing property "[^"]*": )+/, '');
}

interface Recorded {
  readonly type: string;
  readonly name: string;
  readonly parent?: pulumi.Resource;
  readonly ignoreChanges?: string[];
  readonly assetText?: Promise<string>;
}

/** Runs the program in a mocked stack and turns what it registered into the preview. */
async function record(
  program: () => unknown,
  { project, stack, revealSecrets }: { project: string; stack: string; revealSecrets: boolean },
  inputs: ReadonlyMap<string, Record<string, unknown>>,
  recorded: Recorded[],
  rejections: readonly unknown[],
): Promise<OfflinePreview> {
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
      await program();
    } catch (e) {
      failure = e;
    }
    return {};
  });
  if (failure) throw failure;
  // Registrations finish asynchronously; wait (bounded) until every recorded resource has reached the mocks.
  for (let i = 0; i < 200 && recorded.some((r) => !inputs.has(`${r.type}::${r.name}`)); i++)
    await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setImmediate(r));
  if (rejections.length > 0) {
    const first = rejections[0];
    throw new Error(`offline preview: ${rootMessage(first)}`, { cause: first });
  }
  const parentOf = async (r: pulumi.Resource | undefined): Promise<string | null> => {
    if (!r) return null;
    const urn = await new Promise<string>((res) => r.urn.apply((u) => (res(u), u)));
    // urn:pulumi:<stack>::<project>::<type path, $-separated>::<name>
    const [, , typePath = '', name] = urn.split('::');
    const type = typePath.split('$').pop();
    return type === 'pulumi:pulumi:Stack' ? null : `${type}::${name}`;
  };
  const resources: PreviewedResource[] = [];
  for (const r of recorded) {
    if (r.type === 'pulumi:pulumi:Stack') continue;
    resources.push({
      type: r.type,
      name: r.name,
      parent: await parentOf(r.parent),
      inputs: {
        ...(redact(inputs.get(`${r.type}::${r.name}`) ?? {}, revealSecrets) as Record<string, unknown>),
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
    project,
    stack,
    resources,
  };
}
