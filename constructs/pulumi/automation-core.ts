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
import { addDiagnosticSettings, tagsOrUndefined, type Ref } from './shared';

// Internal (not exported from the package): the parts of the automation that the single-vault
// component and the existing-vaults scenario share, with the same logical names in both.

/**
 * The blob metadata key that records where the link's window starts. Written when the content's
 * blob is created and ignored afterwards, so Pulumi state keeps the first value.
 */
export const RUNBOOK_LINK_ANCHOR_METADATA_KEY = 'asrlinkanchor';

/** The private blob that holds the runbook, when the component hosts it. */
export interface RunbookHosting {
  readonly storageAccount: StorageAccount;
  readonly container: BlobContainer;
  readonly blob: Blob;
}

/**
 * The account (`<name>-account`), its runtime environment, the runbook's hosting, the runbook and,
 * when a workspace is given, the estate's visibility (`<name>-dce`, ...), as children of `parent`.
 */
export function addAutomationCore(
  parent: pulumi.Resource,
  name: string,
  spec: AutomationCoreSpec<Ref>,
  tags: Record<string, string> | undefined,
): {
  account: AutomationAccount;
  runtimeEnvironment?: RuntimeEnvironment;
  hosting?: RunbookHosting;
  runbook: Runbook;
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
  let runtimeEnvironment: RuntimeEnvironment | undefined;
  if (env?.create) {
    runtimeEnvironment = new RuntimeEnvironment(
      `${name}-runtime-environment`,
      {
        ...common,
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

  const hosted = spec.runbook.contentLink ? undefined : hostRunbook(parent, name, spec, tags);
  const hosting = hosted?.hosting;
  const link = spec.runbook.contentLink
    ? { uri: pulumi.output(spec.runbook.contentLink.uri), sha256: spec.runbook.contentLink.sha256 }
    : hosted!.link;
  const runbook = new Runbook(
    `${name}-runbook`,
    {
      ...common,
      automationAccountName: account.name,
      runbookName: spec.runbook.name,
      location: spec.location,
      runbookType: spec.runtime.runbookType,
      runtimeEnvironment: env ? (runtimeEnvironment?.name ?? env.name) : undefined,
      description: spec.runbook.description,
      logVerbose: spec.runbook.logVerbose,
      logProgress: spec.runbook.logProgress,
      publishContentLink: { uri: link.uri, contentHash: { algorithm: 'SHA256', value: link.sha256 } },
      tags,
    },
    { parent, dependsOn: hosting ? [hosting.blob] : [] },
  );
  const visibility = addEstateVisibility(parent, name, spec.visibility, {
    resourceGroupName: spec.resourceGroupName,
    principalId: account.identity.apply((i) => i?.principalId ?? ''),
    tags,
  });
  return { account, runtimeEnvironment, hosting, runbook, visibility };
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

/** Uploads the shipped runbook to a private blob and returns a read-only SAS link to it (a secret). */
export function hostRunbook(
  parent: pulumi.Resource,
  name: string,
  spec: AutomationCoreSpec<Ref>,
  tags: Record<string, string> | undefined,
): { hosting: RunbookHosting; link: { uri: pulumi.Output<string>; sha256: string } } {
  const s = spec.runbook.storage;
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
