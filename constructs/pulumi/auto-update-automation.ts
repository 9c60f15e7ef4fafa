import { RoleAssignment } from '@pulumi/azure-native/authorization';
import { AutomationAccount, JobSchedule, Runbook, Schedule } from '@pulumi/azure-native/automation';
import { RuntimeEnvironment } from '@pulumi/azure-native/automation/runtimeEnvironment';
import { MetricAlert } from '@pulumi/azure-native/monitor/metricAlert';
import {
  Blob,
  BlobContainer,
  listStorageAccountServiceSASOutput,
  StorageAccount,
} from '@pulumi/azure-native/storage';
import * as pulumi from '@pulumi/pulumi';
import {
  handedOver,
  resolveAutoUpdateAutomation,
  runbookLinkWindow,
  withoutRefs,
  type AutoUpdateAutomationProps,
  type AutoUpdateAutomationSpec,
  type Finding,
  type Suppression,
} from '../domain/internal';
import type { RecoveryVault } from './recovery-vault';
import {
  addDiagnosticSettings,
  checkBlock,
  PACKAGE,
  refOf,
  reportWarnings,
  resolveAlone,
  tagsOrUndefined,
  vaultSpecOf,
  vaultSpecOrStandIn,
  type Ref,
} from './shared';

/** Args of {@link AutoUpdateAutomation}: the domain props (`Input<string>` where a prop points at another resource), the vault, suppressions. */
export type AutoUpdateAutomationArgs = AutoUpdateAutomationProps<Ref> & {
  /** The vault whose mappings the runbook keeps current. */
  readonly vault: RecoveryVault;
  /**
   * Reasoned exceptions to warning rules (ASR-W01, W02, W03, W05 run in this component).
   * @default none
   */
  readonly suppressions?: readonly Suppression[];
};

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
 * The custom automation account that keeps Mobility-service agents current: system-assigned
 * identity only, local authentication off, the runbook, its daily schedule and job schedule, and
 * the identity's role on the vault. azure-native's Runbook only takes a content link, so unless a
 * `runbookContentLink` is given the runbook is uploaded to a private, content-addressed blob and
 * linked through a read-only, HTTPS-only SAS with a bounded expiry; Automation checks the SHA-256
 * before publishing. The link's window starts at an anchor recorded in state when the content's blob
 * is created, so a later deploy of the same content sends the same link (no re-publish), and new
 * content gets a new blob with a fresh window (re-published once).
 */
export class AutoUpdateAutomation extends pulumi.ComponentResource {
  readonly spec: AutoUpdateAutomationSpec<Ref>;
  readonly account: AutomationAccount;
  /** The PowerShell runtime environment, when this component creates it (API 2024-10-23). */
  readonly runtimeEnvironment?: RuntimeEnvironment;
  readonly runbook: Runbook;
  readonly schedule: Schedule;
  readonly jobSchedule: JobSchedule;
  readonly roleAssignments: readonly RoleAssignment[];
  /** Present when the component hosts the runbook itself. */
  readonly hosting?: RunbookHosting;
  /** The metric alert on failed runbook jobs (`<name>-failed-job-alert`), unless switched off. */
  readonly failedJobAlert?: MetricAlert;
  readonly automationAccountId: pulumi.Output<string>;
  readonly principalId: pulumi.Output<string>;
  /** The policy warnings this component reported (none when a scenario checked it). */
  readonly warnings: readonly Finding[];

  constructor(name: string, args: AutoUpdateAutomationArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before anything is registered.
    const vaultRef = refOf(args, 'vault');
    const handed = handedOver<AutoUpdateAutomationSpec<Ref>>(args);
    const [spec, warnings] = handed
      ? [handed, []]
      : resolveAlone('AutoUpdateAutomation', (rules) => {
          const vault = vaultSpecOf(rules, vaultRef);
          const automation = resolveAutoUpdateAutomation<Ref>(
            rules,
            withoutRefs(args, 'vault', 'suppressions'),
            vaultSpecOrStandIn(vault),
          );
          return [
            automation,
            checkBlock(rules, 'automation', { vault, automation }, refOf(args, 'suppressions')),
          ] as const;
        });
    super(`${PACKAGE}:automation:AutoUpdateAutomation`, name, {}, opts);
    const { vault } = args;
    this.spec = spec;
    this.warnings = warnings;
    const tags = tagsOrUndefined(spec.tags);
    const common = { resourceGroupName: spec.resourceGroupName };

    this.account = new AutomationAccount(
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
      { parent: this },
    );
    this.automationAccountId = this.account.id;
    this.principalId = this.account.identity.apply((i) => i?.principalId ?? '');

    const env = spec.runtime.environment;
    if (env?.create) {
      this.runtimeEnvironment = new RuntimeEnvironment(
        `${name}-runtime-environment`,
        {
          ...common,
          automationAccountName: this.account.name,
          runtimeEnvironmentName: env.name,
          location: spec.location,
          language: env.language,
          version: env.version,
          defaultPackages: { ...env.defaultPackages },
          description: env.description,
          tags,
        },
        { parent: this },
      );
    }

    const hosted = spec.runbook.contentLink ? undefined : this.hostRunbook(name, spec, tags);
    this.hosting = hosted?.hosting;
    const link = spec.runbook.contentLink
      ? { uri: pulumi.output(spec.runbook.contentLink.uri), sha256: spec.runbook.contentLink.sha256 }
      : hosted!.link;
    this.runbook = new Runbook(
      `${name}-runbook`,
      {
        ...common,
        automationAccountName: this.account.name,
        runbookName: spec.runbook.name,
        location: spec.location,
        runbookType: spec.runtime.runbookType,
        runtimeEnvironment: env ? (this.runtimeEnvironment?.name ?? env.name) : undefined,
        description: spec.runbook.description,
        logVerbose: spec.runbook.logVerbose,
        logProgress: spec.runbook.logProgress,
        publishContentLink: { uri: link.uri, contentHash: { algorithm: 'SHA256', value: link.sha256 } },
        tags,
      },
      { parent: this, dependsOn: this.hosting ? [this.hosting.blob] : [] },
    );

    this.schedule = new Schedule(
      `${name}-schedule`,
      {
        ...common,
        automationAccountName: this.account.name,
        scheduleName: spec.schedule.name,
        name: spec.schedule.name,
        frequency: spec.schedule.frequency,
        interval: spec.schedule.interval,
        timeZone: spec.schedule.timeZone,
        startTime: spec.schedule.startTime,
        description: `Daily at ${spec.schedule.timeOfDay} ${spec.schedule.timeZone}.`,
      },
      // The start time only matters for the first run; ignoring it keeps later deploys diff-free.
      { parent: this, ignoreChanges: ['startTime'] },
    );

    const p = spec.jobParameters;
    this.jobSchedule = new JobSchedule(
      `${name}-job-schedule`,
      {
        ...common,
        automationAccountName: this.account.name,
        jobScheduleId: spec.jobScheduleId,
        runbook: { name: this.runbook.name },
        schedule: { name: this.schedule.name },
        parameters: {
          vaultresourceid: vault.vaultId,
          autoupdateaction: p.autoupdateaction,
          automationaccountarmid: this.account.id,
          providers: p.providers,
        },
      },
      { parent: this },
    );

    // Role ids are scoped to the subscription of the assignment's scope.
    const vaultSubscription = vault.vaultId.apply((id) => id.split('/')[2] ?? '');
    this.roleAssignments = spec.roleAssignments.map(
      (ra) =>
        new RoleAssignment(
          `${name}-role-${ra.name}`,
          {
            roleAssignmentName: ra.name,
            scope: ra.scope.kind === 'vault' ? vault.vaultId : ra.scope.resourceId,
            roleDefinitionId: pulumi.interpolate`/subscriptions/${ra.scope.kind === 'vault' ? vaultSubscription : ra.scope.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${ra.roleDefinitionGuid}`,
            principalId: this.principalId,
            principalType: ra.principalType,
            description:
              'Lets the Site Recovery auto-update runbook read and patch the vault container mappings.',
          },
          { parent: this },
        ),
    );
    addDiagnosticSettings(this, name, spec.diagnosticSettings, this.account.id);

    const alert = spec.failedJobAlert;
    if (alert) {
      const c = alert.criterion;
      this.failedJobAlert = new MetricAlert(
        `${name}-failed-job-alert`,
        {
          resourceGroupName: spec.resourceGroupName,
          ruleName: alert.name,
          location: alert.location,
          scopes: [this.account.id],
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
        { parent: this },
      );
    }
    reportWarnings(this, warnings);
    this.registerOutputs({ automationAccountId: this.automationAccountId, principalId: this.principalId });
  }

  /** Uploads the shipped runbook to a private blob and returns a read-only SAS link to it (a secret). */
  private hostRunbook(
    name: string,
    spec: AutoUpdateAutomationSpec<Ref>,
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
      { parent: this },
    );
    const container = new BlobContainer(
      `${name}-runbook-container`,
      {
        resourceGroupName: spec.resourceGroupName,
        accountName: storageAccount.name,
        containerName: s.containerName,
        publicAccess: s.containerPublicAccess,
      },
      { parent: this },
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
      { parent: this, ignoreChanges: [`metadata.${RUNBOOK_LINK_ANCHOR_METADATA_KEY}`] },
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
      { parent: this },
    );
    const uri = pulumi.secret(
      pulumi.interpolate`${storageAccount.primaryEndpoints.blob}${container.name}/${blob.name}?${sas.serviceSasToken}`,
    );
    return { hosting: { storageAccount, container, blob }, link: { uri, sha256: spec.runbook.asset.sha256 } };
  }
}
