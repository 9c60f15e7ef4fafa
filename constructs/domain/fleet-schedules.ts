import { jobScheduleId } from './automation';
import type { AutoUpdateAction } from './automation-defaults';
import { dailySchedule, type DailyScheduleSpec } from './daily-schedule';
import type { ResourceRef } from './rules';
import { runbookJobParameters } from './runbook-parameters';
import type { IngestionJobParameters } from './visibility';

/**
 * The deadline a fleet job runs under, in seconds: the runbook's longest (`TimeoutSeconds` accepts
 * 5-10200), below Automation's 3-hour fair-share limit. `MAX_VAULTS_PER_ACCOUNT` is sized for
 * it; the runbook's own default (3600) is for one vault.
 */
export const FLEET_TIMEOUT_SECONDS = 10200;

/**
 * The runbook job's parameters for a group of vaults, keyed in lower case as Automation stores
 * them (names as the runbook declares them). A reference in a list shows as
 * `<vaults[i].vaultResourceId>` here; the adapters pass the engine's expression.
 */
export interface FleetJobScheduleParameters extends Partial<IngestionJobParameters> {
  /** The group's listed vault ids, comma-separated, in the order given; absent when none is listed in the zone. */
  readonly vaultresourceids?: string;
  readonly autoupdateaction: AutoUpdateAction;
  readonly automationaccountarmid: '<automationAccount.id>';
  readonly providers: string;
  /** The fleet deadline (`FLEET_TIMEOUT_SECONDS`), as the string Automation passes. */
  readonly timeoutseconds: string;
  /** Discovery job: the subscriptions, comma-separated. */
  readonly discoverysubscriptionids?: string;
  /** Discovery job: the management group. */
  readonly discoverymanagementgroupid?: string;
  /** Discovery job: `name=value`, or `name` alone. */
  readonly discoverytag?: string;
  /** Discovery job: the exclusions, then the listed vaults of other zones, comma-separated. */
  readonly excludevaultresourceids?: string;
}

/** One time zone's schedule and job schedule. */
export interface FleetScheduleSpec<R = never> {
  /** Stable key of the time zone (construct ids, logical names): the zone in lower case, `/` as `-`, `+` as `plus`. */
  readonly key: string;
  readonly name: string;
  readonly frequency: 'Day';
  readonly interval: 1;
  readonly timeZone: string;
  readonly timeOfDay: string;
  readonly startTime: string;
  /** Deterministic job schedule id (a name-based UUID of the account and the zone's schedule name). */
  readonly jobScheduleId: string;
  readonly jobParameters: FleetJobScheduleParameters;
  /** The listed vaults of this zone, literals or references, in the order given. */
  readonly vaultResourceIds: readonly ResourceRef<R>[];
  /** Whether this zone's job discovers vaults. */
  readonly discovery: boolean;
  /** Discovery job: every id it excludes (the exclusions, then listed vaults of other zones). */
  readonly excludeVaultResourceIds: readonly ResourceRef<R>[];
}

/** The key of a time zone in names: `Europe/Amsterdam` -> `europe-amsterdam`, `Etc/GMT+5` -> `etc-gmtplus5`. */
export function timeZoneKey(zone: string): string {
  return zone
    .toLowerCase()
    .replace(/\+/g, 'plus')
    .replace(/[^a-z0-9_-]+/g, '-');
}

/** What a zone's schedule needs of a listed vault. */
export interface ZoneVault<R> {
  readonly resourceId: ResourceRef<R>;
  readonly timeZone: string;
}

/** What a zone's schedule needs of the discovery. */
export interface ZoneDiscovery {
  readonly subscriptionIds: readonly string[];
  readonly managementGroupId?: string;
  readonly tag?: { readonly name: string; readonly value?: string };
  readonly excludeVaultResourceIds: readonly string[];
  readonly timeZone: string;
}

/** What every zone's job shares. */
export interface ZoneJob {
  readonly nameKey: string;
  readonly runbookName: string;
  /** The schedule name each zone's key is appended to. */
  readonly scheduleName: string;
  readonly timeOfDay: string;
  readonly autoUpdateAction: AutoUpdateAction;
  readonly providers: string;
  /** Whether the ingestion parameters are passed. */
  readonly visibility: boolean;
}

/** How a list of ids shows in a job parameter of the plan: literals as they are, references by their prop. */
function joinIds<R>(ids: readonly { readonly id: ResourceRef<R>; readonly index: number }[]): string {
  return ids.map((x) => (typeof x.id === 'string' ? x.id : `<vaults[${x.index}].vaultResourceId>`)).join(',');
}

/** One schedule per time zone of the listed vaults and the discovery, sorted by zone. */
export function zoneSchedules<R>(
  vaults: readonly ZoneVault<R>[],
  discovery: ZoneDiscovery | undefined,
  job: ZoneJob,
  now: Date | undefined,
): FleetScheduleSpec<R>[] {
  const zones = [
    ...new Set([...vaults.map((v) => v.timeZone), ...(discovery ? [discovery.timeZone] : [])]),
  ].sort();
  return zones.map((timeZone) => zoneSchedule(vaults, discovery, job, now, timeZone));
}

function zoneSchedule<R>(
  vaults: readonly ZoneVault<R>[],
  discovery: ZoneDiscovery | undefined,
  job: ZoneJob,
  now: Date | undefined,
  timeZone: string,
): FleetScheduleSpec<R> {
  const key = timeZoneKey(timeZone);
  const schedule: DailyScheduleSpec = dailySchedule(
    `${job.scheduleName}-${key}`,
    timeZone,
    job.timeOfDay,
    now,
  );
  const listed = vaults.flatMap((v, index) => (v.timeZone === timeZone ? [{ id: v.resourceId, index }] : []));
  const d = discovery !== undefined && discovery.timeZone === timeZone ? discovery : undefined;
  // Listed vaults of other zones run in their own zone's job: the discovery job leaves them out.
  const excluded = d
    ? [
        ...d.excludeVaultResourceIds.map((id) => ({ id: id as ResourceRef<R>, index: -1 })),
        ...vaults.flatMap((v, index) => (v.timeZone !== timeZone ? [{ id: v.resourceId, index }] : [])),
      ]
    : [];
  return {
    key,
    ...schedule,
    jobScheduleId: jobScheduleId(job.nameKey, job.runbookName, schedule.name),
    jobParameters: runbookJobParameters('fleet', {
      VaultResourceIds: listed.length > 0 ? joinIds(listed) : undefined,
      AutoUpdateAction: job.autoUpdateAction,
      AutomationAccountArmId: true,
      Providers: job.providers,
      TimeoutSeconds: String(FLEET_TIMEOUT_SECONDS),
      DiscoverySubscriptionIds: d && d.subscriptionIds.length > 0 ? d.subscriptionIds.join(',') : undefined,
      DiscoveryManagementGroupId: d?.managementGroupId,
      DiscoveryTag: d?.tag
        ? d.tag.value === undefined
          ? d.tag.name
          : `${d.tag.name}=${d.tag.value}`
        : undefined,
      ExcludeVaultResourceIds: excluded.length > 0 ? joinIds(excluded) : undefined,
      IngestionEndpoint: job.visibility ? true : undefined,
      IngestionRuleId: job.visibility ? true : undefined,
    }) as unknown as FleetJobScheduleParameters,
    vaultResourceIds: listed.map((x) => x.id),
    discovery: d !== undefined,
    excludeVaultResourceIds: excluded.map((x) => x.id),
  };
}

/** The description of a zone's schedule. */
export function fleetScheduleDescription(s: FleetScheduleSpec<unknown>): string {
  const listed = `${s.vaultResourceIds.length} listed vault(s)`;
  return s.discovery
    ? `Daily at ${s.timeOfDay} ${s.timeZone}, for the vaults found in scope${s.vaultResourceIds.length > 0 ? ` and ${listed}` : ''}.`
    : `Daily at ${s.timeOfDay} ${s.timeZone}, for ${s.vaultResourceIds.length} vault(s).`;
}
