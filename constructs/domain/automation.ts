import { resolveAutomationAlerts, type AutomationAlertsProps, type MetricAlertSpec } from './alerts';
import {
  automationNameKey,
  resolveAccountDiagnostics,
  resolveAccountTags,
  resolveAutomationAccount,
  type AccountOwner,
  type AccountPropsInput,
  type AutomationAccountPart,
} from './automation-account';
import {
  AUTOMATION_DEFAULTS,
  type AutoUpdateAction,
  type AutomationAuthenticationType,
  type ReplicationProvider,
} from './automation-defaults';
import { resolveScheduleName, resolveVaultSchedule, type DailyScheduleSpec } from './daily-schedule';
import {
  resolveAdditionalRoleScopes,
  resolveRoleDefinition,
  vaultRoleAssignment,
  type RoleAssignmentSpec,
} from './role-assignments';
import type { ResourceRef, RuleSet } from './rules';
import {
  resolveRunbookContentLink,
  resolveRunbookHosting,
  resolveRunbookName,
  runbookSpec,
  type RunbookContentLinkProps,
  type RunbookHostingKind,
  type RunbookSpec,
  type RunbookStorageProps,
} from './runbook-hosting';
import { uuidV5 } from './naming';
import { runbookJobParameters } from './runbook-parameters';
import { resolveRunbookRuntime, type RunbookRuntimeProps, type RunbookRuntimeSpec } from './runtime';
import type { Clock } from './schedule';
import type { DiagnosticSettingProps, DiagnosticSettingSpec, Tags } from './shared';
import {
  resolveEstateVisibility,
  type EstateVisibilityProps,
  type EstateVisibilitySpec,
  type IngestionJobParameters,
} from './visibility';

// The automation is composed of parts, each in its own module: the account (automation-account),
// the daily schedule (daily-schedule), the role assignments (role-assignments), the runbook's
// content and hosting (runbook-hosting), its job parameters (runbook-parameters), the failed-job
// alert (alerts) and the estate's visibility (visibility). Their public names are re-exported here.
export {
  AUTOMATION_DEFAULTS,
  type AutoUpdateAction,
  type AutomationAuthenticationType,
  type ReplicationProvider,
};
export { readClock } from './daily-schedule';
export type { RoleAssignmentSpec, ScopeWidth } from './role-assignments';
export {
  contentAddressedBlobName,
  contentKey,
  runbookLinkAnchor,
  runbookLinkWindow,
  RUNBOOK_HOSTINGS,
  type RunbookContentLinkProps,
  type RunbookHostingKind,
  type RunbookLinkWindow,
  type RunbookStorageProps,
} from './runbook-hosting';

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
   * The role the account's identity gets on the vault (and, for a fleet, on each listed vault and
   * discovery scope): a built-in name from `KNOWN_ROLES` that can patch container mappings, or a
   * role definition GUID. A known role without mapping write (Site Recovery Operator, Reader, ...)
   * is refused; Site Recovery Contributor is reported (ASR-W07).
   * @default 'Contributor' on a vault; at a discovery scope, a custom role the library declares with
   * only the runbook's actions (`RUNBOOK_ROLE_ACTIONS`)
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
   * Wins over `runbookHosting`.
   * @default the shipped runbook: inline with cdktf and cdktn; with Pulumi, as `runbookHosting` says
   */
  readonly runbookContentLink?: RunbookContentLinkProps<R>;
  /**
   * How the Pulumi adapter publishes the shipped runbook when no `runbookContentLink` is given:
   * `'publish'` puts the draft content and publishes it through Resource Manager with the deployer's
   * credentials (no storage account); `'storage'` hosts it on a storage account of its own with
   * shared-key and public network access on (which common deny assignments refuse). cdktf and cdktn
   * always upload the content inline: the value is validated there and means nothing else.
   * @default 'publish'
   */
  readonly runbookHosting?: RunbookHostingKind;
  /**
   * The storage account of `runbookHosting: 'storage'`; refused with any other hosting.
   * @default with `'storage'`: a storage account named from the vault, container `runbooks`, links valid 48 hours
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
  readonly runbook: RunbookSpec<R>;
  /** Deterministic job schedule id (a name-based UUID), so no engine invents a random one. */
  readonly jobScheduleId: string;
  readonly schedule: DailyScheduleSpec;
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
  'runbookHosting',
  'runbookStorage',
  'runtime',
  'alerts',
  'visibility',
] as const;

/** What every arrangement of the automation decides of its runbook's job: names, action given, providers. */
export interface RunbookJobPart {
  readonly runbookName: string;
  readonly scheduleName: string;
  /** As given; each scenario has its own default. */
  readonly givenAction?: AutoUpdateAction;
  readonly providers: readonly ReplicationProvider[];
}

/** The runbook's and schedule's names, the action given and the providers, in that order. */
export function resolveRunbookJob(
  rules: RuleSet,
  p: {
    readonly runbookName?: unknown;
    readonly scheduleName?: unknown;
    readonly autoUpdateAction?: unknown;
    readonly providers?: unknown;
  },
): RunbookJobPart {
  const runbookName = resolveRunbookName(rules, p.runbookName);
  const scheduleName = resolveScheduleName(rules, p.scheduleName);
  const givenAction = rules.choice('autoUpdateAction', p.autoUpdateAction, ['Enabled', 'Disabled'] as const);
  const input = p.providers ?? AUTOMATION_DEFAULTS.providers;
  const providersOk = rules.check(
    Array.isArray(input) &&
      input.length > 0 &&
      input.every((x) => x === 'A2A' || x === 'InMageRcm') &&
      new Set(input).size === input.length,
    'providers',
    input,
    "must list one or both of 'A2A' and 'InMageRcm', each once",
  );
  return {
    runbookName,
    scheduleName,
    givenAction,
    providers: providersOk ? [...(input as readonly ReplicationProvider[])] : [],
  };
}

/** The parts every arrangement shares after its schedule: hosting, roles, tags, runtime, alerts, visibility, diagnostics. */
export interface SharedAutomationParts<R> {
  /** The key deterministic names derive from ({@link automationNameKey}). */
  readonly nameKey: string;
  readonly contentLink: RunbookSpec<R>['contentLink'];
  /** `runbookHosting`, with its storage when that is `'storage'`. */
  readonly hosting: { readonly hosting: RunbookHostingKind; readonly storage?: RunbookSpec<R>['storage'] };
  /** The role's GUID; undefined when `roleDefinition` is not valid (reported). */
  readonly roleGuid?: string;
  /** `roleDefinition` was given (a fleet's discovery scopes then get it instead of the library's custom role). */
  readonly roleGiven: boolean;
  /** `additionalRoleScopes`, one assignment each. */
  readonly additionalRoles: readonly RoleAssignmentSpec[];
  readonly tags: Tags;
  readonly runtime: RunbookRuntimeSpec<R>;
  readonly failedJobAlert?: MetricAlertSpec<R>;
  readonly visibility?: EstateVisibilitySpec<R>;
  readonly diagnosticSettings: readonly DiagnosticSettingSpec<R>[];
}

/** Resolves the shared parts, in the order their violations are reported. */
export function resolveSharedAutomationParts<R>(
  rules: RuleSet,
  p: {
    readonly runbookContentLink?: unknown;
    readonly runbookHosting?: unknown;
    readonly runbookStorage?: unknown;
    readonly roleDefinition?: unknown;
    readonly additionalRoleScopes?: unknown;
    readonly tags?: unknown;
    readonly runtime?: unknown;
    readonly alerts?: unknown;
    readonly visibility?: unknown;
    readonly diagnosticSettings?: unknown;
  },
  owner: AccountOwner<R>,
  account: AutomationAccountPart<R>,
  runbookName: string,
  now: Date | undefined,
): SharedAutomationParts<R> {
  const nameKey = automationNameKey(rules, owner, account.name);
  const contentLink = resolveRunbookContentLink<R>(rules, p.runbookContentLink);
  const hosting = resolveRunbookHosting(rules, p.runbookHosting, p.runbookStorage, nameKey, now);
  const roleGuid = resolveRoleDefinition(rules, p.roleDefinition, AUTOMATION_DEFAULTS.roleDefinition);
  const additionalRoles = resolveAdditionalRoleScopes(rules, p.additionalRoleScopes, nameKey, roleGuid);
  const tags = resolveAccountTags(rules, p.tags, owner);
  const runtime = resolveRunbookRuntime<R>(rules, 'runtime', p.runtime as RunbookRuntimeProps<R> | undefined);
  const { failedJobAlert, actionGroupIds } = resolveAutomationAlerts<R>(
    rules,
    p.alerts as AutomationAlertsProps<R> | undefined,
    { accountName: account.name, runbookName, tags },
  );
  const visibility = resolveEstateVisibility<R>(rules, p.visibility, {
    accountName: account.name,
    location: account.location,
    nameKey,
    tags,
    actionGroupIds,
  });
  const diagnosticSettings = resolveAccountDiagnostics<R>(rules, p.diagnosticSettings, account.name);
  return {
    nameKey,
    contentLink,
    hosting,
    roleGuid,
    roleGiven: p.roleDefinition !== undefined,
    additionalRoles,
    tags,
    runtime,
    failedJobAlert,
    visibility,
    diagnosticSettings,
  };
}

/**
 * Validates an automation that serves one vault, part by part: the account, the runbook's job, the
 * daily schedule, then the shared parts; its role on the vault first, then any scope asked for.
 */
export function resolveAutoUpdateAutomation<R = never>(
  rules: RuleSet,
  props: AutoUpdateAutomationProps<R>,
  vault: VaultFacts<R>,
): AutoUpdateAutomationSpec<R> {
  const p = rules.props(props, AUTOMATION_PROP_NAMES);
  const account = resolveAutomationAccount<R>(rules, p as AccountPropsInput, vault);
  const job = resolveRunbookJob(rules, p);
  const { schedule, now } = resolveVaultSchedule(rules, p, vault.schedule, job.scheduleName);
  const shared = resolveSharedAutomationParts<R>(rules, p, vault, account, job.runbookName, now);
  const autoUpdateAction =
    job.givenAction ?? (vault.extensionUpdateSettings.autoUpdateEnabled ? 'Enabled' : 'Disabled');
  return {
    ...account,
    providers: job.providers,
    autoUpdateAction,
    runtime: shared.runtime,
    runbook: runbookSpec<R>(
      job.runbookName,
      autoUpdateAction,
      { kind: 'vault', vaultName: vault.name },
      shared.contentLink,
      shared.hosting,
    ),
    jobScheduleId: jobScheduleId(shared.nameKey, job.runbookName, schedule.name),
    schedule,
    jobParameters: runbookJobParameters('vault', {
      VaultResourceId: true,
      AutoUpdateAction: autoUpdateAction,
      AutomationAccountArmId: true,
      Providers: job.providers.join(','),
      IngestionEndpoint: shared.visibility ? true : undefined,
      IngestionRuleId: shared.visibility ? true : undefined,
    }) as unknown as JobScheduleParameters,
    roleAssignments: [
      ...(shared.roleGuid ? [vaultRoleAssignment(shared.nameKey, shared.roleGuid)] : []),
      ...shared.additionalRoles,
    ],
    diagnosticSettings: shared.diagnosticSettings,
    tags: shared.tags,
    failedJobAlert: shared.failedJobAlert,
    visibility: shared.visibility,
  };
}

/** A job schedule's deterministic id (a name-based UUID of the automation, runbook and schedule). */
export function jobScheduleId(nameKey: string, runbookName: string, scheduleName: string): string {
  return uuidV5(`${nameKey}|job-schedule|${runbookName}|${scheduleName}`);
}
