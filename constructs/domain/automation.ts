import { createHash } from 'node:crypto';
import { resolveAutomationAlerts, type AutomationAlertsProps, type MetricAlertSpec } from './alerts';
import {
  AUTOMATION_ACCOUNT_NAME,
  checkName,
  deriveName,
  parseResourceId,
  type ResourceId,
  RUNBOOK_NAME,
  SCHEDULE_NAME,
  uuidV5,
} from './naming';
import { isIanaTimeZone, normalizeRegion, regionInfo } from './regions';
import { DEFAULT_ROLE, roleDefinitionGuid } from './roles';
import type { ResourceRef, RuleSet } from './rules';
import { runbookAsset, type RunbookAsset } from './runbook-asset';
import { resolveRunbookRuntime, type RunbookRuntimeProps, type RunbookRuntimeSpec } from './runtime';
import { nextDailyStart, TIME_OF_DAY, type Clock } from './schedule';
import {
  resolveDiagnosticSettings,
  type DiagnosticSettingProps,
  type DiagnosticSettingSpec,
  type Tags,
} from './shared';
import { checkResourceGroupName, REGION_LITERAL } from './vault';
import {
  resolveEstateVisibility,
  type EstateVisibilityProps,
  type EstateVisibilitySpec,
  type IngestionJobParameters,
} from './visibility';

/** The replication providers whose mappings the runbook manages. */
export type ReplicationProvider = 'A2A' | 'InMageRcm';
/** What the runbook makes every mapping say. */
export type AutoUpdateAction = 'Enabled' | 'Disabled';
/** The only authentication this library supports: Run As accounts were retired on 2023-09-30. */
export type AutomationAuthenticationType = 'SystemAssignedIdentity';

/** The custom automation account that keeps Mobility-service agents current. */
export interface AutoUpdateAutomationProps<R = never> {
  /**
   * The region of the replicated machines. The daily job runs at `timeOfDay` in this region's time zone.
   * For A2A this is the source region; for VMware, the region the machines replicate to.
   * A literal: a reference is refused, because the region chooses the schedule's time zone.
   * @default an existing vault's `sourceRegion` (`RecoveryVault.fromVaultId`); required with a vault this library manages, unless `timeZone` is given
   */
  readonly sourceRegion?: string;
  /**
   * The providers whose mappings the runbook reconciles.
   * @default ['A2A']
   */
  readonly providers?: readonly ReplicationProvider[];
  /**
   * What the runbook enforces.
   * @default 'Enabled' when the vault's extension update settings have auto-update on, else 'Disabled'
   */
  readonly autoUpdateAction?: AutoUpdateAction;
  /**
   * Account name: 6-50 characters, letters, digits and hyphens, starting with a letter and ending with a letter or digit.
   * A literal: a reference is refused, because the runbook storage account, the failed-job alert,
   * role assignment and job schedule ids derive from it.
   * @default `<vault name>-asr-updates`
   */
  readonly name?: string;
  /**
   * A literal or a reference (`rg.name`): a literal is checked now, a reference when it is known
   * (Pulumi) or by Azure at deploy (Terraform).
   * @default the vault's resource group
   */
  readonly resourceGroupName?: ResourceRef<R>;
  /**
   * A literal: a reference is refused (regions are literals in this library; the account's region
   * defaults from the vault's, which chooses names and checks).
   * @default the vault's location
   */
  readonly location?: string;
  /**
   * Only `SystemAssignedIdentity` exists. `RunAsAccount` is refused: Run As accounts were retired on 2023-09-30.
   * @default 'SystemAssignedIdentity'
   */
  readonly authenticationType?: AutomationAuthenticationType;
  /**
   * Public network access to the account. Scheduled cloud jobs do not need it; webhooks and
   * hybrid workers reaching the account over the internet do.
   * @default false
   */
  readonly publicNetworkAccessEnabled?: boolean;
  /**
   * @default 'Set-AsrMobilityAutoUpdate'
   */
  readonly runbookName?: string;
  /**
   * @default 'asr-mobility-autoupdate-daily'
   */
  readonly scheduleName?: string;
  /**
   * IANA time zone of the daily schedule (for example `Europe/Amsterdam`), not a Windows zone name.
   * @default an existing vault's `timeZone`, else the time zone of `sourceRegion`
   */
  readonly timeZone?: string;
  /**
   * Local time of the daily run, `HH:MM`.
   * @default '00:00' (Site Recovery's own schedule: 12:00 AM)
   */
  readonly timeOfDay?: string;
  /**
   * First run, RFC 3339. Ignored after creation, so later deploys show no diff.
   * @default the next `timeOfDay` in `timeZone` at least 10 minutes after the clock's now
   */
  readonly startTime?: string;
  /**
   * The clock the start time is computed from; inject a fixed one for repeatable output.
   * @default the system clock
   */
  readonly clock?: Clock;
  /**
   * The role the account's identity gets on the vault: a built-in name from `BUILT_IN_ROLES` or a role definition GUID.
   * @default 'Contributor'
   */
  readonly roleDefinition?: string;
  /**
   * Further scopes for the same role, as resource ids. A scope wider than the vault (a resource
   * group or subscription) is allowed because you asked, and reported as a warning at synth.
   * Literals: a reference is refused, because each assignment's deterministic name and the
   * scope-width check (ASR-W01) need the id at synthesis.
   * @default none: the vault only
   */
  readonly additionalRoleScopes?: readonly string[];
  /**
   * Diagnostic settings for job logs and streams.
   * @default none
   */
  readonly diagnosticSettings?: readonly DiagnosticSettingProps<R>[];
  /**
   * @default the vault's tags
   */
  readonly tags?: Tags;
  /**
   * Publish the runbook from a URI you host instead (both engines then link to it). Automation
   * checks the content against `sha256` (upper- or lower-case hex) before publishing.
   * @default the shipped runbook: inline with cdktf; uploaded to a private blob with Pulumi
   */
  readonly runbookContentLink?: RunbookContentLinkProps<R>;
  /**
   * Where the Pulumi adapter hosts the runbook when no `runbookContentLink` is given.
   * @default a storage account named from the vault, container `runbooks`, links valid 48 hours
   */
  readonly runbookStorage?: RunbookStorageProps;
  /**
   * The PowerShell runtime the runbook runs on.
   * @default `{ version: '7.4' }`: a PowerShell 7.4 runtime environment named
   * `asr-mobility-autoupdate-ps74`, created in the account with no default packages
   */
  readonly runtime?: RunbookRuntimeProps<R>;
  /**
   * Alerting: an Azure Monitor metric alert on the account that fires when a job of the runbook ends
   * `Failed`, routed to the action groups you give.
   * @default the failed-job alert on (severity 1, evaluated every 5 minutes over 5 minutes), no action groups
   */
  readonly alerts?: AutomationAlertsProps<R>;
  /**
   * Seeing the estate: a Log Analytics workspace you own, to which the runbook sends one row per
   * machine and one per vault each night, with the tables, data collection endpoint and rule, role,
   * workbook and at-risk alert that go with it (docs/seeing-the-estate.md).
   * @default none: no row is sent and nothing of it is declared
   */
  readonly visibility?: EstateVisibilityProps<R>;
}

/** A runbook hosted by the user. */
export interface RunbookContentLinkProps<R = never> {
  /** An `https://` URI Automation can read at deploy time; a literal or a reference (checked when known, with Pulumi). */
  readonly uri: ResourceRef<R>;
  /** SHA-256 of the content, 64 hex characters. */
  readonly sha256: string;
}

/** The private blob the Pulumi adapter uploads the runbook to (azure-native's Runbook only takes a link). */
export interface RunbookStorageProps {
  /**
   * 3-24 lower-case letters and digits, globally unique.
   * @default `asrrb` and 19 hex characters of a hash of the vault's resource group, name and account name
   */
  readonly accountName?: string;
  /**
   * How long the read-only SAS link stays valid, 1-168 hours, from the hour the current runbook
   * content was first hosted (see {@link runbookLinkWindow}). The window is kept in state, so
   * later deploys of the same content reuse the same link; new content gets a new blob and a new window.
   * @default 48
   */
  readonly sasValidityInHours?: number;
}

/** One role assignment for the automation identity. `R`: the engine's reference type (an existing vault's id may be one). */
export interface RoleAssignmentSpec<R = never> {
  /** Deterministic assignment name (a name-based UUID). */
  readonly name: string;
  /** The role definition GUID. */
  readonly roleDefinitionGuid: string;
  /** `vault` for the vault this account serves, or a literal resource id. */
  readonly scope:
    | { readonly kind: 'vault' }
    | {
        readonly kind: 'resource';
        readonly resourceId: string;
        readonly subscriptionId: string;
        readonly width: ScopeWidth;
        /** Index in `additionalRoleScopes`. */ readonly propIndex: number;
      }
    | {
        /** An existing vault of the existing-vaults scenario, given by its id (a literal or a reference). */
        readonly kind: 'existingVault';
        readonly resourceId: ResourceRef<R>;
        /** Lower case; '' when the id is a reference (the adapters read it from the id at deploy). */
        readonly subscriptionId: string;
        /** Index in the scenario's `vaults`. */
        readonly vaultIndex: number;
        /** The vault's stable key: its `key`, else its id in lower case. The assignment's name derives from it. */
        readonly key: string;
      }
    | {
        /**
         * A discovery scope of the existing-vaults scenario: a subscription
         * (`/subscriptions/{id}`) or a management group
         * (`/providers/Microsoft.Management/managementGroups/{id}`), wider than a vault by design.
         */
        readonly kind: 'discovery';
        readonly resourceId: string;
        readonly width: 'subscription' | 'managementGroup';
        /** Lower case, for a subscription; '' for a management group. */
        readonly subscriptionId: string;
        /** The prop that asked for it, from the scenario's props (`discovery.subscriptionIds[0]`). */
        readonly prop: string;
      };
  readonly principalType: 'ServicePrincipal';
}

/** How much a scope covers, relative to the vault. */
export type ScopeWidth = 'subscription' | 'resourceGroup' | 'resource';

/**
 * What the automation needs to know of the vault it serves: a vault this library manages
 * (its `RecoveryVaultSpec`) and an existing one given by its id both provide it.
 */
export interface VaultFacts<R = never> {
  /** The vault's name: default names derive from it. */
  readonly name: string;
  /** The default resource group of the account: a literal or the engine's reference. */
  readonly resourceGroupName: ResourceRef<R>;
  /** The default region of the account. */
  readonly location: string;
  /** The default tags of the account. */
  readonly tags: Tags;
  /** Whether the runbook turns auto-update on by default. */
  readonly extensionUpdateSettings: { readonly autoUpdateEnabled: boolean };
  /** What the vault says about the nightly run's time zone, as given (an existing vault's options). */
  readonly schedule?: { readonly sourceRegion?: string; readonly timeZone?: string };
}

/**
 * The runbook job's parameters, keyed in lower case as Automation stores them; the ingestion
 * parameters only when `visibility` is given.
 */
export interface JobScheduleParameters extends Partial<IngestionJobParameters> {
  readonly vaultresourceid: '<vault.id>';
  readonly autoupdateaction: AutoUpdateAction;
  readonly automationaccountarmid: '<automationAccount.id>';
  readonly providers: string;
}

/** A validated automation setup with every default applied. */
export interface AutoUpdateAutomationSpec<R = never> {
  readonly name: string;
  readonly resourceGroupName: ResourceRef<R>;
  readonly location: string;
  readonly skuName: 'Basic';
  readonly authenticationType: AutomationAuthenticationType;
  readonly localAuthenticationEnabled: false;
  readonly publicNetworkAccessEnabled: boolean;
  readonly providers: readonly ReplicationProvider[];
  readonly autoUpdateAction: AutoUpdateAction;
  /** The PowerShell runtime of the runbook: its runbook type and the runtime environment it links to. */
  readonly runtime: RunbookRuntimeSpec<R>;
  readonly runbook: {
    readonly name: string;
    readonly asset: RunbookAsset;
    readonly description: string;
    readonly logVerbose: boolean;
    readonly logProgress: boolean;
    /** Set when the user hosts the runbook; both engines then publish from this link. */
    readonly contentLink?: { readonly uri: ResourceRef<R>; readonly sha256: string };
    /** Used by engines that cannot upload content inline (Pulumi), when there is no `contentLink`. */
    readonly storage: {
      readonly accountName: string;
      readonly containerName: string;
      /**
       * Content-addressed: the runbook's file name with the first 16 hex characters of its SHA-256,
       * so new content is a new blob (and a new link) and the same content is always the same blob.
       */
      readonly blobName: string;
      /** The first 16 hex characters (lower case) of the content's SHA-256: names what is content-specific. */
      readonly contentKey: string;
      readonly sasValidityInHours: number;
      /**
       * Where the link's window starts when this content is hosted for the first time: the clock
       * rounded down to the hour (RFC 3339, UTC). Engines record it in state when they create the
       * content's blob and reuse the recorded value afterwards; {@link runbookLinkWindow} turns it into the window.
       */
      readonly linkAnchor: string;
      /** The account's fixed, secure settings. */
      readonly accountKind: 'StorageV2';
      readonly skuName: 'Standard_LRS';
      readonly minimumTlsVersion: 'TLS1_2';
      readonly httpsTrafficOnly: true;
      readonly blobPublicAccessAllowed: false;
      readonly containerPublicAccess: 'None';
      /** A service SAS is signed with the account key, so shared-key access stays on. */
      readonly sharedKeyAccessEnabled: true;
      /** Automation fetches the link from its own service, over the public endpoint. */
      readonly publicNetworkAccessEnabled: true;
      /** A service SAS: read-only, HTTPS only. */
      readonly sasPermissions: 'r';
      readonly sasProtocols: 'https';
    };
  };
  /** Deterministic job schedule id (a name-based UUID), so no engine invents a random one. */
  readonly jobScheduleId: string;
  readonly schedule: {
    readonly name: string;
    readonly frequency: 'Day';
    readonly interval: 1;
    readonly timeZone: string;
    readonly timeOfDay: string;
    readonly startTime: string;
  };
  /**
   * Job parameters. Two values are references the adapters fill in: `<vault.id>` and
   * `<automationAccount.id>`; every key is lower case.
   */
  readonly jobParameters: JobScheduleParameters;
  readonly roleAssignments: readonly RoleAssignmentSpec[];
  readonly diagnosticSettings: readonly DiagnosticSettingSpec<R>[];
  readonly tags: Tags;
  /** The metric alert on failed jobs of the runbook; absent when `alerts.failedJobAlertEnabled` is false. */
  readonly failedJobAlert?: MetricAlertSpec<R>;
  /** Where the runbook's nightly rows go and what shows them; absent without a workspace. */
  readonly visibility?: EstateVisibilitySpec<R>;
}

/**
 * What every arrangement of the automation shares, a single vault's or a fleet's: the account, its
 * runtime environment, the runbook, diagnostics and the failed-job alert (the adapters' internal
 * automation core builds these with the same construct ids and logical names in both).
 */
export type AutomationCoreSpec<R = never> = Pick<
  AutoUpdateAutomationSpec<R>,
  | 'name'
  | 'resourceGroupName'
  | 'location'
  | 'skuName'
  | 'localAuthenticationEnabled'
  | 'publicNetworkAccessEnabled'
  | 'runtime'
  | 'runbook'
  | 'diagnosticSettings'
  | 'failedJobAlert'
  | 'visibility'
>;

export const AUTOMATION_DEFAULTS = Object.freeze({
  nameSuffix: '-asr-updates',
  runbookName: 'Set-AsrMobilityAutoUpdate',
  scheduleName: 'asr-mobility-autoupdate-daily',
  timeOfDay: '00:00',
  startLeadMinutes: 10,
  sasValidityInHours: 48,
  publicNetworkAccessEnabled: false,
  providers: ['A2A'] as ReplicationProvider[],
  roleDefinition: DEFAULT_ROLE as string,
  diagnostics: { logCategories: ['JobLogs', 'JobStreams'], logCategoryGroups: [] as string[] },
});

const systemClock: Clock = () => new Date();

const HOUR_MS = 3600000;
const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** The first 16 hex characters (lower case) of a runbook's SHA-256. */
export function contentKey(asset: Pick<RunbookAsset, 'sha256'>): string {
  return asset.sha256.slice(0, 16).toLowerCase();
}

/** The blob a runbook is hosted in: `<name>-<contentKey><ext>`, one blob per content. */
export function contentAddressedBlobName(asset: Pick<RunbookAsset, 'sha256' | 'fileName'>): string {
  const dot = asset.fileName.lastIndexOf('.');
  const [base, ext] =
    dot > 0 ? [asset.fileName.slice(0, dot), asset.fileName.slice(dot)] : [asset.fileName, ''];
  return `${base}-${contentKey(asset)}${ext}`;
}

/** The anchor a runbook link's window starts at when content is first hosted: `now` rounded down to the hour. */
export function runbookLinkAnchor(now: Date): string {
  return rfc3339(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);
}

/** The validity window of a hosted runbook's read-only link. */
export interface RunbookLinkWindow {
  /** RFC 3339, UTC: the recorded anchor, rounded down to the hour. */
  readonly start: string;
  /** RFC 3339, UTC: `start` plus the validity. */
  readonly expiry: string;
}

/**
 * The window of the read-only link to a hosted runbook, from the anchor recorded when the content
 * was first hosted. A pure function of its arguments: the same anchor gives the same window (and
 * so the same link) on every later deploy, whatever the clock says then. Automation reads the link
 * only when it publishes, which happens once per content, within the window.
 */
export function runbookLinkWindow(anchor: string, validityInHours: number): RunbookLinkWindow {
  const ms = Date.parse(anchor);
  if (Number.isNaN(ms))
    throw new RangeError(`runbook link anchor must be an RFC 3339 date-time, got ${JSON.stringify(anchor)}`);
  if (!Number.isInteger(validityInHours) || validityInHours < 1)
    throw new RangeError(`runbook link validity must be a whole number of hours, got ${validityInHours}`);
  const start = Math.floor(ms / HOUR_MS) * HOUR_MS;
  return { start: rfc3339(start), expiry: rfc3339(start + validityInHours * HOUR_MS) };
}

function scopeWidth(parsed: ResourceId): ScopeWidth {
  if (!parsed.resourceGroupName) return 'subscription';
  if (!parsed.type) return 'resourceGroup';
  return 'resource';
}

/** Every prop of {@link AutoUpdateAutomationProps}, for the unknown-prop check. */
export const AUTOMATION_PROP_NAMES = [
  'sourceRegion',
  'providers',
  'autoUpdateAction',
  'name',
  'resourceGroupName',
  'location',
  'authenticationType',
  'publicNetworkAccessEnabled',
  'runbookName',
  'scheduleName',
  'timeZone',
  'timeOfDay',
  'startTime',
  'clock',
  'roleDefinition',
  'additionalRoleScopes',
  'diagnosticSettings',
  'tags',
  'runbookContentLink',
  'runbookStorage',
  'runtime',
  'alerts',
  'visibility',
] as const;

/** A given name when it is valid, else the default; an invalid name is reported by `checkName`. */
function nameOr(ok: boolean, value: unknown, fallback: string): string {
  return ok && typeof value === 'string' ? value : fallback;
}

export function resolveAutoUpdateAutomation<R = never>(
  rules: RuleSet,
  props: AutoUpdateAutomationProps<R>,
  vault: VaultFacts<R>,
): AutoUpdateAutomationSpec<R> {
  const d = AUTOMATION_DEFAULTS;
  const p = rules.props(props, AUTOMATION_PROP_NAMES);
  const authType = p.authenticationType;
  rules.check(
    authType === undefined || authType === 'SystemAssignedIdentity',
    'authenticationType',
    authType,
    authType === 'RunAsAccount' // retired 2023-09-30: refused with the reason below
      ? "RunAsAccount is refused: Azure Automation Run As accounts were retired on 2023-09-30; this library only uses the account's system-assigned managed identity ('SystemAssignedIdentity')"
      : "must be 'SystemAssignedIdentity' (the only authentication this library supports)",
  );
  // A derived name is valid whenever the vault name is, so only a name the user gave is checked.
  const name = nameOr(
    rules.literal(
      'name',
      p.name,
      'the runbook storage account, the failed-job alert, role assignment and job schedule ids derive from it',
    ) &&
      checkName(
        rules,
        'name',
        p.name,
        AUTOMATION_ACCOUNT_NAME,
        'an automation account name has 6-50 characters: letters, digits and hyphens, starting with a letter and ending with a letter or digit',
      ),
    p.name,
    deriveName(vault.name, d.nameSuffix, 50),
  );
  const resourceGroupName = (rules.ref('resourceGroupName', p.resourceGroupName, checkResourceGroupName) ??
    vault.resourceGroupName) as ResourceRef<R>;
  const location =
    rules.literal('location', p.location, REGION_LITERAL) &&
    rules.check(
      p.location === undefined || (typeof p.location === 'string' && regionInfo(p.location) !== undefined),
      'location',
      p.location,
      'must be an Azure region name such as westeurope',
    ) &&
    typeof p.location === 'string'
      ? normalizeRegion(p.location)
      : vault.location;
  const publicNetworkAccessEnabled =
    rules.bool('publicNetworkAccessEnabled', p.publicNetworkAccessEnabled) ?? d.publicNetworkAccessEnabled;
  const runbookName = nameOr(
    checkName(
      rules,
      'runbookName',
      p.runbookName,
      RUNBOOK_NAME,
      'a runbook name has 1-63 characters: letters, digits, - and _, starting with a letter',
    ),
    p.runbookName,
    d.runbookName,
  );
  const scheduleName = nameOr(
    checkName(
      rules,
      'scheduleName',
      p.scheduleName,
      SCHEDULE_NAME,
      'a schedule name has 1-128 characters, none of < > * % & : \\ ? . + /, and does not end with a space',
    ),
    p.scheduleName,
    d.scheduleName,
  );
  const givenAction = rules.choice('autoUpdateAction', p.autoUpdateAction, ['Enabled', 'Disabled'] as const);

  const providersInput = p.providers ?? d.providers;
  const providersOk = rules.check(
    Array.isArray(providersInput) &&
      providersInput.length > 0 &&
      providersInput.every((x) => x === 'A2A' || x === 'InMageRcm') &&
      new Set(providersInput).size === providersInput.length,
    'providers',
    providersInput,
    "must list one or both of 'A2A' and 'InMageRcm', each once",
  );
  const providers: readonly ReplicationProvider[] = providersOk
    ? (providersInput as readonly ReplicationProvider[])
    : [];

  // Schedule: zone from the source region unless given; an unknown region needs an explicit zone.
  // An existing vault may carry them (`RecoveryVault.fromVaultId`); the account's own props win.
  const regionLiteral = rules.literal('sourceRegion', p.sourceRegion, REGION_LITERAL);
  const sourceRegion = regionLiteral ? (p.sourceRegion ?? vault.schedule?.sourceRegion) : undefined;
  const givenZone = p.timeZone ?? vault.schedule?.timeZone;
  const region = typeof sourceRegion === 'string' ? regionInfo(sourceRegion) : undefined;
  if (givenZone === undefined && regionLiteral) {
    rules.check(
      region !== undefined,
      'sourceRegion',
      sourceRegion,
      'must be a known Azure region so the schedule can run at midnight in its time zone; for a region this library does not know yet, set the timeZone prop (an IANA name such as Europe/Amsterdam)',
    );
  }
  const zoneInput = givenZone ?? region?.timeZone ?? 'Etc/UTC';
  const zoneOk = rules.check(
    typeof zoneInput === 'string' && isIanaTimeZone(zoneInput),
    'timeZone',
    givenZone,
    'must be an IANA time zone name such as Europe/Amsterdam (Windows names such as "W. Europe Standard Time" are not accepted)',
  );
  const timeZone = zoneOk ? (zoneInput as string) : 'Etc/UTC';
  const timeInput = p.timeOfDay ?? d.timeOfDay;
  const timeOk = rules.check(
    typeof timeInput === 'string' && TIME_OF_DAY.test(timeInput),
    'timeOfDay',
    p.timeOfDay,
    'must be HH:MM in 24-hour time, for example 00:00',
  );
  const timeOfDay = timeOk ? (timeInput as string) : d.timeOfDay;
  const startOk = rules.check(
    p.startTime === undefined ||
      (typeof p.startTime === 'string' &&
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(p.startTime) &&
        !Number.isNaN(Date.parse(p.startTime))),
    'startTime',
    p.startTime,
    'must be an RFC 3339 date-time with an offset, for example 2026-01-01T00:00:00+01:00',
  );
  const now = readClock(rules, p.clock);
  const startTime =
    startOk && typeof p.startTime === 'string'
      ? p.startTime
      : zoneOk && timeOk && now
        ? nextDailyStart(now, timeOfDay, timeZone, d.startLeadMinutes)
        : '';

  // Runbook source: a link the user hosts, or the shipped asset.
  const link = rules.object('runbookContentLink', p.runbookContentLink, ['uri', 'sha256']);
  let contentLink: { readonly uri: ResourceRef<R>; readonly sha256: string } | undefined;
  if (link !== undefined) {
    const uri = rules.ref('runbookContentLink.uri', link.uri ?? null, (r, prop, v) =>
      r.check(
        typeof v === 'string' && /^https:\/\/[^\s/]+\/\S+$/.test(v),
        prop,
        link.uri === undefined ? undefined : v,
        'must be an https:// URI of the runbook file',
      ),
    ) as ResourceRef<R> | undefined;
    const uriOk = uri !== undefined;
    const shaOk = rules.check(
      typeof link.sha256 === 'string' && /^[0-9a-fA-F]{64}$/.test(link.sha256),
      'runbookContentLink.sha256',
      link.sha256,
      'must be the SHA-256 of the content: 64 hex characters',
    );
    if (uriOk && shaOk)
      contentLink = { uri: uri as ResourceRef<R>, sha256: (link.sha256 as string).toUpperCase() };
  }
  // Deterministic names are keyed by the vault's group when it is a literal; a reference is not
  // known until deploy, so then they are keyed by the vault and account names alone.
  const groupKey = rules.isDeployTime(vault.resourceGroupName)
    ? '(deploy-time resource group)'
    : String(vault.resourceGroupName);
  const storageProps =
    rules.object('runbookStorage', p.runbookStorage, ['accountName', 'sasValidityInHours']) ?? {};
  const accountName = nameOr(
    checkName(
      rules,
      'runbookStorage.accountName',
      storageProps.accountName,
      /^[a-z0-9]{3,24}$/,
      'a storage account name has 3-24 lower-case letters and digits',
    ),
    storageProps.accountName,
    `asrrb${createHash('sha256').update(`${groupKey}/${vault.name}/${name}`.toLowerCase()).digest('hex').slice(0, 19)}`,
  );
  const sasValidityInHours =
    rules.integer('runbookStorage.sasValidityInHours', storageProps.sasValidityInHours, 1, 168, 'hours') ??
    d.sasValidityInHours;

  // Role assignments: the vault, then any scope the user asked for, with the same role.
  const roleInput = p.roleDefinition ?? d.roleDefinition;
  const roleGuid = typeof roleInput === 'string' ? roleDefinitionGuid(roleInput) : undefined;
  rules.check(
    roleGuid !== undefined,
    'roleDefinition',
    p.roleDefinition,
    'must be a built-in role name this library knows (Contributor, Site Recovery Contributor, Site Recovery Operator, Owner, User Access Administrator) or a role definition GUID',
  );
  const extraScopes = rules.list('additionalRoleScopes', p.additionalRoleScopes, 'resource ids') ?? [];
  const roleAssignments: RoleAssignmentSpec[] = [];
  const assignmentKey = `${groupKey}/${vault.name}/${name}`.toLowerCase();
  if (roleGuid) {
    roleAssignments.push({
      name: uuidV5(`${assignmentKey}|vault|${roleGuid}`),
      roleDefinitionGuid: roleGuid,
      scope: { kind: 'vault' },
      principalType: 'ServicePrincipal',
    });
  }
  const seen = new Set<string>();
  extraScopes.forEach((scope, i) => {
    if (
      !rules.literal(
        `additionalRoleScopes[${i}]`,
        scope,
        "the assignment's deterministic name and the scope-width check (ASR-W01) need the id at synthesis",
      )
    )
      return;
    const parsed = typeof scope === 'string' ? parseResourceId(scope) : undefined;
    const width = parsed ? scopeWidth(parsed) : undefined;
    if (
      !rules.check(
        parsed !== undefined && width !== undefined,
        `additionalRoleScopes[${i}]`,
        scope,
        'must be a subscription, resource group or resource id (/subscriptions/{guid}[/resourceGroups/{name}[/providers/...]])',
      )
    )
      return;
    const normalized = (scope as string).replace(/\/+$/, '');
    if (
      !rules.check(
        !seen.has(normalized.toLowerCase()),
        `additionalRoleScopes[${i}]`,
        scope,
        'each scope may appear once',
      )
    )
      return;
    seen.add(normalized.toLowerCase());
    if (!roleGuid) return;
    roleAssignments.push({
      name: uuidV5(`${assignmentKey}|${normalized.toLowerCase()}|${roleGuid}`),
      roleDefinitionGuid: roleGuid,
      scope: {
        kind: 'resource',
        resourceId: normalized,
        subscriptionId: parsed!.subscriptionId.toLowerCase(),
        width: width!,
        propIndex: i,
      },
      principalType: 'ServicePrincipal',
    });
  });
  const tags = rules.tags('tags', p.tags) ? { ...(p.tags ?? vault.tags) } : { ...vault.tags };
  const runtime = resolveRunbookRuntime<R>(rules, 'runtime', p.runtime);

  const autoUpdateAction =
    givenAction ?? (vault.extensionUpdateSettings.autoUpdateEnabled ? 'Enabled' : 'Disabled');
  const asset = runbookAsset();
  const { failedJobAlert, actionGroupIds } = resolveAutomationAlerts<R>(rules, p.alerts, {
    accountName: name,
    runbookName,
    tags,
  });
  const visibility = resolveEstateVisibility<R>(rules, p.visibility, {
    accountName: name,
    location,
    nameKey: assignmentKey,
    tags,
    actionGroupIds,
  });
  return {
    name,
    resourceGroupName,
    location,
    skuName: 'Basic',
    authenticationType: 'SystemAssignedIdentity',
    localAuthenticationEnabled: false,
    publicNetworkAccessEnabled,
    providers: [...providers],
    autoUpdateAction,
    runtime,
    runbook: {
      name: runbookName,
      asset,
      description: `Keeps Site Recovery Mobility-service auto-update ${autoUpdateAction.toLowerCase()} on every container mapping of vault ${vault.name} (runbook ${asset.version}, sha256 ${asset.sha256}).`,
      logVerbose: true,
      logProgress: false,
      contentLink,
      storage: {
        accountName,
        containerName: 'runbooks',
        blobName: contentAddressedBlobName(asset),
        contentKey: contentKey(asset),
        sasValidityInHours,
        // No spec is returned when the clock failed its check (a violation was recorded).
        linkAnchor: runbookLinkAnchor(now ?? new Date(0)),
        accountKind: 'StorageV2',
        skuName: 'Standard_LRS',
        minimumTlsVersion: 'TLS1_2',
        httpsTrafficOnly: true,
        blobPublicAccessAllowed: false,
        containerPublicAccess: 'None',
        sharedKeyAccessEnabled: true,
        publicNetworkAccessEnabled: true,
        sasPermissions: 'r',
        sasProtocols: 'https',
      },
    },
    jobScheduleId: uuidV5(`${assignmentKey}|job-schedule|${runbookName}|${scheduleName}`),
    schedule: {
      name: scheduleName,
      frequency: 'Day',
      interval: 1,
      timeZone,
      timeOfDay,
      startTime,
    },
    jobParameters: {
      vaultresourceid: '<vault.id>',
      autoupdateaction: autoUpdateAction,
      automationaccountarmid: '<automationAccount.id>',
      providers: providers.join(','),
      ...visibility?.jobParameters,
    },
    roleAssignments,
    diagnosticSettings: resolveDiagnosticSettings<R>(
      rules,
      p.diagnosticSettings as readonly DiagnosticSettingProps<R>[] | undefined,
      name,
      d.diagnostics,
    ),
    tags,
    failedJobAlert,
    visibility,
  };
}

/** The clock's "now": a function returning a valid Date, else undefined (reported). */
export function readClock(rules: RuleSet, clock: unknown): Date | undefined {
  if (clock === undefined) return systemClock();
  if (!rules.check(typeof clock === 'function', 'clock', clock, 'must be a function that returns a Date'))
    return undefined;
  const now: unknown = (clock as () => unknown)();
  return rules.check(
    now instanceof Date && !Number.isNaN(now.getTime()),
    'clock',
    now,
    'must return a valid Date',
  )
    ? (now as Date)
    : undefined;
}
