import { AutomationAccount, Runbook } from '@pulumi/azure-native/automation';
import { RuntimeEnvironment } from '@pulumi/azure-native/automation/runtimeEnvironment';
import { MetricAlert } from '@pulumi/azure-native/monitor/metricAlert';
import {
  Blob,
  BlobContainer,
  listStorageAccountServiceSASOutput,
  StorageAccount,
} from '@pulumi/azure-native/storage';
import * as pulumi from '@pulumi/pulumi';
import { runbookLinkWindow, type AutomationCoreSpec } from '../domain/internal';
import { addEstateVisibility, type EstateVisibility } from './estate-visibility';
import { republishKeyOf, RunbookContent } from './runbook-content';
import { addDiagnosticSettings, tagsOrUndefined, type Ref } from './shared';

// Internal (not exported from the package): the parts of the automation that the single-vault
// component and the existing-vaults scenario share, with the same logical names in both.

/**
 * The blob metadata key that records where the link's window starts. Written when the content's
 * blob is created and ignored afterwards, so Pulumi state keeps the first value.
 */
export const RUNBOOK_LINK_ANCHOR_METADATA_KEY = 'asrlinkanchor';

/** The private blob that holds the runbook, with `runbookHosting: 'storage'`. */
export interface RunbookHosting {
  readonly storageAccount: StorageAccount;
  readonly container: BlobContainer;
  readonly blob: Blob;
}

/**
 * The account (`<name>-account`), its runtime environment, the runbook, how its content is
 * published and, when a workspace is given, the estate's visibility (`<name>-dce`, ...), as children
 * of `parent`. The content is published from the user's `runbookContentLink` when given; else, with
 * `runbookHosting: 'publish'` (the default), by a {@link RunbookContent} (`<name>-runbook-content`)
 * through Resource Manager; with `'storage'`, from a blob of the adapter's own storage account.
 * Whatever runs the runbook must depend on `published`, so it never points at an unpublished runbook.
 */
export function addAutomationCore(
  parent: pulumi.Resource,
  name: string,
  spec: AutomationCoreSpec<Ref>,
  tags: Record<string, string> | undefined,
  workspaceProvider?: pulumi.ProviderResource,
): {
  account: AutomationAccount;
  runtimeEnvironment?: RuntimeEnvironment;
  hosting?: RunbookHosting;
  runbook: Runbook;
  runbookContent?: RunbookContent;
  published: pulumi.Resource[];
  visibility?: EstateVisibility;
} {
  const common = { resourceGroupName: spec.resourceGroupName };
  const account = new AutomationAccount(
    `${name}-account`,
    {
      ...common,
      automationAccountName: spec.name,
      location: spec.location,
      sku: { name: spec.skuName },
      identity: { type: 'SystemAssigned' },
      disableLocalAuth: !spec.localAuthenticationEnabled,
      publicNetworkAccess: spec.publicNetworkAccessEnabled,
      tags,
    },
    { parent },
  );

  const env = spec.runtime.environment;
  const runtimeEnvironment = addRuntimeEnvironment(parent, name, spec, account, tags);

  const link = spec.runbook.contentLink;
  const viaStorage = !link && spec.runbook.hosting === 'storage';
  const hosted = viaStorage ? hostRunbook(parent, name, spec, tags) : undefined;
  const hosting = hosted?.hosting;
  // The runbook's own inputs, all literals: a change to any of them PUTs the runbook, after which
  // azurerm always publishes again, and so does RunbookContent (their hash is its republish key).
  const runbookInputs = {
    ...common,
    runbookName: spec.runbook.name,
    location: spec.location,
    runbookType: spec.runtime.runbookType,
    runtimeEnvironment: env?.name,
    description: spec.runbook.description,
    logVerbose: spec.runbook.logVerbose,
    logProgress: spec.runbook.logProgress,
    tags,
  };
  const contentLink = link
    ? { uri: pulumi.output(link.uri), sha256: link.sha256 }
    : hosted
      ? hosted.link
      : undefined;
  const runbook = new Runbook(
    `${name}-runbook`,
    {
      ...runbookInputs,
      automationAccountName: account.name,
      runtimeEnvironment: env ? (runtimeEnvironment?.name ?? env.name) : undefined,
      ...(contentLink
        ? {
            publishContentLink: {
              uri: contentLink.uri,
              contentHash: { algorithm: 'SHA256', value: contentLink.sha256 },
            },
          }
        : { draft: {} }),
    },
    { parent, dependsOn: hosting ? [hosting.blob] : [] },
  );
  const runbookContent = contentLink
    ? undefined
    : addRunbookContent(parent, name, spec, runbook, runbookInputs);
  const visibility = addEstateVisibility(parent, name, spec.visibility, {
    resourceGroupName: spec.resourceGroupName,
    principalId: account.identity.apply((i) => i?.principalId ?? ''),
    tags,
    workspaceProvider,
  });
  return {
    account,
    runtimeEnvironment,
    hosting,
    runbook,
    runbookContent,
    published: runbookContent ? [runbookContent] : [],
    visibility,
  };
}

/** The runtime environment (`<name>-runtime-environment`) the runbook runs on, when the spec creates one. */
function addRuntimeEnvironment(
  parent: pulumi.Resource,
  name: string,
  spec: AutomationCoreSpec<Ref>,
  account: AutomationAccount,
  tags: Record<string, string> | undefined,
): RuntimeEnvironment | undefined {
  const env = spec.runtime.environment;
  if (!env?.create) return undefined;
  return new RuntimeEnvironment(
    `${name}-runtime-environment`,
    {
      resourceGroupName: spec.resourceGroupName,
      automationAccountName: account.name,
      runtimeEnvironmentName: env.name,
      location: spec.location,
      language: env.language,
      version: env.version,
      defaultPackages: { ...env.defaultPackages },
      description: env.description,
      tags,
    },
    { parent },
  );
}

/**
 * The runbook's content published through Resource Manager (`<name>-runbook-content`). Its republish
 * key hashes the runbook's own inputs; a reference among them (a resource group or runtime
 * environment declared alongside) is hashed once known.
 */
function addRunbookContent(
  parent: pulumi.Resource,
  name: string,
  spec: AutomationCoreSpec<Ref>,
  runbook: Runbook,
  runbookInputs: Record<string, unknown> & {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly runtimeEnvironment?: pulumi.Input<string>;
  },
): RunbookContent {
  return new RunbookContent(
    `${name}-runbook-content`,
    {
      runbookId: runbook.id,
      content: spec.runbook.asset.content,
      contentSha256: spec.runbook.asset.sha256,
      republishKey: pulumi
        .all([
          pulumi.output(runbookInputs.resourceGroupName),
          pulumi.output(runbookInputs.runtimeEnvironment),
        ])
        .apply(([resourceGroupName, runtimeEnvironment]) =>
          republishKeyOf({ ...runbookInputs, resourceGroupName, runtimeEnvironment }),
        ),
    },
    { parent },
  );
}

/** The account's diagnostic settings and its failed-job alert (`<name>-failed-job-alert`), unless switched off. */
export function addAutomationMonitoring(
  parent: pulumi.Resource,
  name: string,
  spec: AutomationCoreSpec<Ref>,
  accountId: pulumi.Input<string>,
): MetricAlert | undefined {
  addDiagnosticSettings(parent, name, spec.diagnosticSettings, accountId);

  const alert = spec.failedJobAlert;
  if (alert) {
    const c = alert.criterion;
    return new MetricAlert(
      `${name}-failed-job-alert`,
      {
        resourceGroupName: spec.resourceGroupName,
        ruleName: alert.name,
        location: alert.location,
        scopes: [accountId],
        description: alert.description,
        enabled: alert.enabled,
        severity: alert.severity,
        evaluationFrequency: alert.evaluationFrequency,
        windowSize: alert.windowSize,
        autoMitigate: alert.autoMitigate,
        criteria: {
          odataType: 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria',
          allOf: [
            {
              criterionType: 'StaticThresholdCriterion',
              name: c.name,
              metricNamespace: c.metricNamespace,
              metricName: c.metricName,
              timeAggregation: c.aggregation,
              operator: c.operator,
              threshold: c.threshold,
              dimensions: c.dimensions.map((d) => ({
                name: d.name,
                operator: d.operator,
                values: [...d.values],
              })),
            },
          ],
        },
        actions:
          alert.actionGroupIds.length > 0
            ? alert.actionGroupIds.map((actionGroupId) => ({ actionGroupId }))
            : undefined,
        tags: tagsOrUndefined(alert.tags),
      },
      { parent },
    );
  }
  return undefined;
}

/**
 * `runbookHosting: 'storage'`: uploads the shipped runbook to a private blob and returns a read-only
 * SAS link to it (a secret).
 */
export function hostRunbook(
  parent: pulumi.Resource,
  name: string,
  spec: AutomationCoreSpec<Ref>,
  tags: Record<string, string> | undefined,
): { hosting: RunbookHosting; link: { uri: pulumi.Output<string>; sha256: string } } {
  const s = spec.runbook.storage;
  if (!s) throw new Error(`runbook ${spec.runbook.name}: the storage hosting has no storage spec`);
  const storageAccount = new StorageAccount(
    `${name}-runbook-storage`,
    {
      resourceGroupName: spec.resourceGroupName,
      accountName: s.accountName,
      location: spec.location,
      kind: s.accountKind,
      sku: { name: s.skuName },
      allowBlobPublicAccess: s.blobPublicAccessAllowed,
      enableHttpsTrafficOnly: s.httpsTrafficOnly,
      minimumTlsVersion: s.minimumTlsVersion,
      allowSharedKeyAccess: s.sharedKeyAccessEnabled,
      publicNetworkAccess: s.publicNetworkAccessEnabled ? 'Enabled' : 'Disabled',
      tags,
    },
    { parent },
  );
  const container = new BlobContainer(
    `${name}-runbook-container`,
    {
      resourceGroupName: spec.resourceGroupName,
      accountName: storageAccount.name,
      containerName: s.containerName,
      publicAccess: s.containerPublicAccess,
    },
    { parent },
  );
  // One blob per content (name and logical name carry the content key): the same content keeps
  // its blob, its recorded anchor and so its link; new content is a new blob with a fresh anchor.
  const blob = new Blob(
    `${name}-runbook-blob-${s.contentKey}`,
    {
      resourceGroupName: spec.resourceGroupName,
      accountName: storageAccount.name,
      containerName: container.name,
      blobName: s.blobName,
      contentType: 'text/plain; charset=utf-8',
      metadata: { [RUNBOOK_LINK_ANCHOR_METADATA_KEY]: s.linkAnchor },
      source: new pulumi.asset.StringAsset(spec.runbook.asset.content),
    },
    // The anchor is taken from the clock once, when this content is first hosted, and kept in state.
    { parent, ignoreChanges: [`metadata.${RUNBOOK_LINK_ANCHOR_METADATA_KEY}`] },
  );
  const window = blob.metadata.apply((m) =>
    runbookLinkWindow(m?.[RUNBOOK_LINK_ANCHOR_METADATA_KEY] ?? s.linkAnchor, s.sasValidityInHours),
  );
  const sas = listStorageAccountServiceSASOutput(
    {
      resourceGroupName: spec.resourceGroupName,
      accountName: storageAccount.name,
      canonicalizedResource: pulumi.interpolate`/blob/${storageAccount.name}/${container.name}/${blob.name}`,
      resource: 'b',
      permissions: s.sasPermissions,
      protocols: s.sasProtocols,
      sharedAccessStartTime: window.start,
      sharedAccessExpiryTime: window.expiry,
    },
    { parent },
  );
  const uri = pulumi.secret(
    pulumi.interpolate`${storageAccount.primaryEndpoints.blob}${container.name}/${blob.name}?${sas.serviceSasToken}`,
  );
  return { hosting: { storageAccount, container, blob }, link: { uri, sha256: spec.runbook.asset.sha256 } };
}
