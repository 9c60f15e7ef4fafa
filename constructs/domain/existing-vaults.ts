import {
  AUTOMATION_DEFAULTS,
  AUTOMATION_PROP_NAMES,
  readClock,
  resolveAutoUpdateAutomation,
  type AutoUpdateAction,
  type AutoUpdateAutomationProps,
  type AutoUpdateAutomationSpec,
  type RoleAssignmentSpec,
  type VaultFacts,
} from './automation';
import { runPolicyChecks, type Finding, type Suppression } from './checks';
import { checkResourceId, parseResourceId, uuidV5 } from './naming';
import { isIanaTimeZone, normalizeRegion, regionInfo } from './regions';
import { LITERALS_ONLY, RuleSet, type DeployTimeValues } from './rules';
import { nextDailyStart } from './schedule';

/** The ARM type of a Recovery Services vault, as a vault resource id names it (compared case-insensitively). */
export const RECOVERY_SERVICES_VAULT_TYPE = 'Microsoft.RecoveryServices/vaults';

/**
 * The most vaults one automation account serves in the existing-vaults scenario. Each time zone's
 * vaults run in one job, and a cloud job is unloaded after 3 hours of fair-share run time (a
 * PowerShell job then restarts from the top, and fails after three restarts). The runbook runs a
 * fleet under one deadline of at most 10200 s and refuses more than 50 ids; at a budget of 4 minutes
 * per vault (sign-in, listing fabrics, containers and mappings, a PATCH per mapping waited on, the
 * agent report), 40 vaults fit that deadline with margin. The job parameter (40 ids of at most about
 * 200 characters, comma-separated) stays far below Automation's job parameter size limit. Split a
 * larger fleet over several accounts.
 */
export const MAX_VAULTS_PER_ACCOUNT = 40;

/**
 * The deadline a fleet job runs under, in seconds: the runbook's longest (`TimeoutSeconds` accepts
 * 5-10200), below Automation's 3-hour fair-share limit. {@link MAX_VAULTS_PER_ACCOUNT} is sized for
 * it; the runbook's own default (3600) is for one vault.
 */
export const FLEET_TIMEOUT_SECONDS = 10200;

/** A vault that already exists, given by its resource id. */
export interface ExistingVaultProps {
  /**
   * The vault's resource id:
   * `/subscriptions/{guid}/resourceGroups/{name}/providers/Microsoft.RecoveryServices/vaults/{name}`.
   * A literal: the automation account's default names derive from the vault's name and resource group.
   */
  readonly vaultResourceId: string;
  /**
   * The region of the machines the vault protects (A2A: the source region; VMware: the region the
   * machines replicate to). The nightly run starts at midnight in its time zone. A literal:
   * it chooses the schedule. Give it, or `timeZone`.
   * @default none: required unless `timeZone` is given
   */
  readonly sourceRegion?: string;
  /**
   * IANA time zone of the nightly run (for example `Europe/Amsterdam`), instead of the source region's.
   * @default the time zone of `sourceRegion`
   */
  readonly timeZone?: string;
}

/** Options of an existing vault handed to the automation building block (`RecoveryVault.fromVaultId`). */
export interface ExistingVaultOptions extends Omit<ExistingVaultProps, 'vaultResourceId'> {
  /**
   * The vault's region: where the automation building block puts its account by default. Azure
   * does not put the region in a resource id.
   * @default `sourceRegion`
   */
  readonly location?: string;
}

/** A validated existing vault: what its id says, and the time zone of its nightly run. */
export interface ExistingVaultSpec extends VaultFacts {
  readonly kind: 'existing';
  /** The resource id as given (trailing slashes removed). */
  readonly resourceId: string;
  readonly subscriptionId: string;
  readonly resourceGroupName: string;
  readonly name: string;
  /** The region the account goes to by default (building block only); '' in a fleet. */
  readonly location: string;
  readonly timeZone: string;
}

const EXISTING_VAULT_PROP_NAMES = ['vaultResourceId', 'sourceRegion', 'timeZone'] as const;

/**
 * Checks a vault resource id prop: a literal `Microsoft.RecoveryServices/vaults` id (the type
 * compared case-insensitively). Every vault id prop is checked here and nowhere else.
 */
export function checkVaultResourceId(rules: RuleSet, prop: string, value: unknown): value is string {
  return (
    rules.literal(
      prop,
      value,
      "the vault's name and resource group, from which the account's default names and the role assignment and job schedule ids derive, are read from the id at synthesis",
    ) &&
    rules.required(prop, value) &&
    checkResourceId(rules, prop, value, RECOVERY_SERVICES_VAULT_TYPE)
  );
}

/** Validates an existing vault. `withLocation`: the building block's form, which also places the account. */
export function resolveExistingVault(
  rules: RuleSet,
  props: ExistingVaultProps & { readonly location?: string },
  withLocation = false,
): ExistingVaultSpec {
  const p = rules.props(props, [...EXISTING_VAULT_PROP_NAMES, ...(withLocation ? ['location'] : [])]);
  const idOk = checkVaultResourceId(rules, 'vaultResourceId', p.vaultResourceId);
  const resourceId = idOk ? (p.vaultResourceId as string).replace(/\/+$/, '') : '';
  const parsed = idOk ? parseResourceId(resourceId) : undefined;
  const region = typeof p.sourceRegion === 'string' ? regionInfo(p.sourceRegion) : undefined;
  rules.check(
    p.sourceRegion === undefined || region !== undefined,
    'sourceRegion',
    p.sourceRegion,
    'must be an Azure region name such as westeurope (the regions this library knows are listed in its exported REGIONS table)',
  );
  rules.check(
    p.sourceRegion !== undefined || p.timeZone !== undefined,
    'sourceRegion',
    p.sourceRegion,
    'is required unless timeZone is given: the nightly run starts at midnight in the time zone of the region of the replicated machines, which a vault id does not tell',
  );
  const zoneOk = rules.check(
    p.timeZone === undefined || (typeof p.timeZone === 'string' && isIanaTimeZone(p.timeZone)),
    'timeZone',
    p.timeZone,
    'must be an IANA time zone name such as Europe/Amsterdam (Windows names such as "W. Europe Standard Time" are not accepted)',
  );
  const timeZone = zoneOk && typeof p.timeZone === 'string' ? p.timeZone : (region?.timeZone ?? 'Etc/UTC');
  let location = '';
  if (withLocation) {
    const given = p.location;
    const locationOk = rules.check(
      given === undefined || (typeof given === 'string' && regionInfo(given) !== undefined),
      'location',
      given,
      'must be an Azure region name such as westeurope',
    );
    rules.check(
      given !== undefined || region !== undefined,
      'location',
      given,
      'is required when sourceRegion is not given: the automation account needs a region',
    );
    location =
      locationOk && typeof given === 'string'
        ? normalizeRegion(given)
        : region
          ? normalizeRegion(p.sourceRegion as string)
          : '';
  }
  return {
    kind: 'existing',
    resourceId,
    subscriptionId: parsed?.subscriptionId.toLowerCase() ?? '',
    resourceGroupName: parsed?.resourceGroupName ?? '',
    name: parsed?.name ?? '',
    location,
    timeZone,
    tags: {},
    extensionUpdateSettings: { autoUpdateEnabled: true },
    schedule: {
      sourceRegion: typeof p.sourceRegion === 'string' ? p.sourceRegion : undefined,
      timeZone: typeof p.timeZone === 'string' ? p.timeZone : undefined,
    },
  };
}

/** The automation account of a fleet: no vault to be named after, so its name, group and region are required. */
export type ExistingVaultsAutomationProps = Omit<
  AutoUpdateAutomationProps,
  'sourceRegion' | 'timeZone' | 'startTime' | 'name' | 'resourceGroupName' | 'location'
> & {
  /** Account name: 6-50 characters, letters, digits and hyphens, starting with a letter and ending with a letter or digit. */
  readonly name: string;
  /** The resource group of the account (it must exist). */
  readonly resourceGroupName: string;
  /** The account's region. */
  readonly location: string;
};

/** Keeps agents current on vaults that already exist: one automation account for the whole fleet. */
export interface ExistingVaultsScenarioProps {
  /** The vaults, 1 to {@link MAX_VAULTS_PER_ACCOUNT}, each once (ids compared case-insensitively). */
  readonly vaults: readonly ExistingVaultProps[];
  readonly automation: ExistingVaultsAutomationProps;
  /**
   * Reasoned exceptions to warning rules.
   * @default none
   */
  readonly suppressions?: readonly Suppression[];
}

/** The runbook job's parameters for a group of vaults, keyed in lower case as Automation stores them. */
export interface FleetJobScheduleParameters {
  /** The group's vault ids, comma-separated, in the order given. */
  readonly vaultresourceids: string;
  readonly autoupdateaction: AutoUpdateAction;
  readonly automationaccountarmid: '<automationAccount.id>';
  readonly providers: string;
  /** The fleet deadline (`FLEET_TIMEOUT_SECONDS`), as the string Automation passes. */
  readonly timeoutseconds: string;
}

/** One time zone's schedule and job schedule. */
export interface FleetScheduleSpec {
  /** Stable key of the time zone (construct ids, logical names): the zone in lower case, `/` as `-`, `+` as `plus`. */
  readonly key: string;
  readonly name: string;
  readonly frequency: 'Day';
  readonly interval: 1;
  readonly timeZone: string;
  readonly timeOfDay: string;
  readonly startTime: string;
  /** Deterministic job schedule id (a name-based UUID). */
  readonly jobScheduleId: string;
  readonly jobParameters: FleetJobScheduleParameters;
  readonly vaultResourceIds: readonly string[];
}

/** A role assignment of a fleet: on an existing vault, or on a scope the user added (never a managed vault). */
export type FleetRoleAssignmentSpec = RoleAssignmentSpec & {
  readonly scope: Exclude<RoleAssignmentSpec['scope'], { readonly kind: 'vault' }>;
};

/** The fleet's automation: the account, runtime, runbook, alert and diagnostics, a schedule per time zone, a role per vault. */
export type FleetAutomationSpec = Omit<
  AutoUpdateAutomationSpec,
  'schedule' | 'jobScheduleId' | 'jobParameters' | 'roleAssignments'
> & {
  readonly schedules: readonly FleetScheduleSpec[];
  /** Each vault's role first (in the order given), then any scope the user added. */
  readonly roleAssignments: readonly FleetRoleAssignmentSpec[];
};

export interface ExistingVaultsScenarioSpec {
  readonly scenario: 'existing';
  readonly vaults: readonly ExistingVaultSpec[];
  readonly automation: FleetAutomationSpec;
  readonly warnings: readonly Finding[];
}

const FLEET_AUTOMATION_PROP_NAMES = AUTOMATION_PROP_NAMES.filter(
  (k) => !['sourceRegion', 'timeZone', 'startTime'].includes(k),
);

/** What the single-vault automation has and a fleet replaces. */
const SINGLE_VAULT_KEYS = ['schedule', 'jobScheduleId', 'jobParameters', 'roleAssignments'] as const;

/** The key of a time zone in names: `Europe/Amsterdam` -> `europe-amsterdam`, `Etc/GMT+5` -> `etc-gmtplus5`. */
export function timeZoneKey(zone: string): string {
  return zone
    .toLowerCase()
    .replace(/\+/g, 'plus')
    .replace(/[^a-z0-9_-]+/g, '-');
}

function resolveVaultList(rules: RuleSet, value: unknown): ExistingVaultSpec[] {
  const list = rules.list('vaults', value, 'existing vaults ({ vaultResourceId, sourceRegion | timeZone })');
  if (list === undefined) {
    rules.check(value !== undefined, 'vaults', value, 'is required: a list of existing vaults');
    return [];
  }
  rules.check(
    list.length >= 1 && list.length <= MAX_VAULTS_PER_ACCOUNT,
    'vaults',
    `${list.length} vaults`,
    `one automation account serves 1 to ${MAX_VAULTS_PER_ACCOUNT} vaults (a job must finish within Azure Automation's 3-hour fair-share limit); split a larger fleet over several accounts`,
  );
  const seen = new Map<string, number>();
  return list.map((entry, i) => {
    const spec = resolveExistingVault(rules.child(`vaults[${i}]`), entry as ExistingVaultProps);
    const key = spec.resourceId.toLowerCase();
    if (key) {
      rules.check(
        !seen.has(key),
        `vaults[${i}].vaultResourceId`,
        spec.resourceId,
        `each vault may appear once (ids compared case-insensitively); already given as vaults[${seen.get(key)}]`,
      );
      if (!seen.has(key)) seen.set(key, i);
    }
    return spec;
  });
}

/** Validates the existing-vaults scenario. Throws one `ValidationError` listing every violated rule. */
export function resolveExistingVaultsScenario(
  props: ExistingVaultsScenarioProps,
  deployTime: DeployTimeValues = LITERALS_ONLY,
): ExistingVaultsScenarioSpec {
  const rules = RuleSet.for('Existing vaults scenario', deployTime);
  const p = rules.props(props, ['vaults', 'automation', 'suppressions']);
  const vaults = resolveVaultList(rules, p.vaults);
  const a = rules.props(p.automation, FLEET_AUTOMATION_PROP_NAMES, 'automation');
  const ar = rules.child('automation');
  ar.required('name', a.name);
  ar.required('resourceGroupName', a.resourceGroupName);
  ar.required('location', a.location);
  // Only the props a fleet knows go on (unknown ones are reported above, once).
  const known: Record<string, unknown> = {};
  for (const k of FLEET_AUTOMATION_PROP_NAMES) if (a[k] !== undefined) known[k] = a[k];
  const now = readClock(ar, a.clock);
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  const facts: VaultFacts = {
    name: str(a.name),
    resourceGroupName: str(a.resourceGroupName),
    location: typeof a.location === 'string' && regionInfo(a.location) ? normalizeRegion(a.location) : '',
    tags: {},
    extensionUpdateSettings: { autoUpdateEnabled: true },
  };
  // The account, runtime, runbook, alert and diagnostics are the single-vault ones; the schedule it
  // would derive is replaced below by one per time zone (UTC here only so that it resolves).
  const base = resolveAutoUpdateAutomation(
    ar,
    {
      ...known,
      clock: now ? () => now : undefined,
      timeZone: 'Etc/UTC',
    } as unknown as AutoUpdateAutomationProps,
    facts,
  );
  const { schedule, roleAssignments } = base;
  const account = Object.fromEntries(
    Object.entries(base).filter(([k]) => !(SINGLE_VAULT_KEYS as readonly string[]).includes(k)),
  ) as Omit<AutoUpdateAutomationSpec, (typeof SINGLE_VAULT_KEYS)[number]>;
  const assignmentKey = `${base.resourceGroupName}/${base.name}/${base.name}`.toLowerCase();
  const roleGuid = roleAssignments[0]?.roleDefinitionGuid;
  const vaultRoles: FleetRoleAssignmentSpec[] = roleGuid
    ? vaults
        .filter((v) => v.resourceId !== '')
        .map((v, i) => ({
          name: uuidV5(`${assignmentKey}|${v.resourceId.toLowerCase()}|${roleGuid}`),
          roleDefinitionGuid: roleGuid,
          scope: {
            kind: 'existingVault' as const,
            resourceId: v.resourceId,
            subscriptionId: v.subscriptionId,
            vaultIndex: i,
          },
          principalType: 'ServicePrincipal' as const,
        }))
    : [];
  const zones = [...new Set(vaults.map((v) => v.timeZone))].sort();
  const schedules: FleetScheduleSpec[] = zones.map((timeZone) => {
    const key = timeZoneKey(timeZone);
    const name = `${schedule.name}-${key}`;
    const ids = vaults.filter((v) => v.timeZone === timeZone).map((v) => v.resourceId);
    return {
      key,
      name,
      frequency: 'Day',
      interval: 1,
      timeZone,
      timeOfDay: schedule.timeOfDay,
      startTime: now
        ? nextDailyStart(now, schedule.timeOfDay, timeZone, AUTOMATION_DEFAULTS.startLeadMinutes)
        : '',
      jobScheduleId: uuidV5(`${assignmentKey}|job-schedule|${base.runbook.name}|${name}`),
      jobParameters: {
        vaultresourceids: ids.join(','),
        autoupdateaction: base.autoUpdateAction,
        automationaccountarmid: '<automationAccount.id>',
        providers: base.jobParameters.providers,
        timeoutseconds: String(FLEET_TIMEOUT_SECONDS),
      },
      vaultResourceIds: ids,
    };
  });
  const automation: FleetAutomationSpec = {
    ...account,
    runbook: {
      ...account.runbook,
      description: `Keeps Site Recovery Mobility-service auto-update ${base.autoUpdateAction.toLowerCase()} on every container mapping of ${vaults.length} existing vault(s) (runbook ${account.runbook.asset.version}, sha256 ${account.runbook.asset.sha256}).`,
    },
    // Each vault's role first (in the order given), then any scope the user asked for.
    roleAssignments: [
      ...vaultRoles,
      ...roleAssignments.filter((ra): ra is FleetRoleAssignmentSpec => ra.scope.kind !== 'vault'),
    ],
    schedules,
  };
  const warnings = runPolicyChecks(
    rules,
    { automation },
    p.suppressions as readonly Suppression[] | undefined,
  );
  rules.throwIfAny('Existing vaults scenario');
  return { scenario: 'existing', vaults, automation, warnings };
}
