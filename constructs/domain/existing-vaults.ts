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
import { GUID_PATTERN, parseVaultResourceId, uuidV5 } from './naming';
import { isIanaTimeZone, normalizeRegion, regionInfo } from './regions';
import { LITERALS_ONLY, RuleSet, type DeployTimeValues, type ResourceRef } from './rules';
import { nextDailyStart } from './schedule';
import type { IngestionJobParameters } from './visibility';

/** The ARM type of a Recovery Services vault, as a vault resource id names it (compared case-insensitively). */
export const RECOVERY_SERVICES_VAULT_TYPE = 'Microsoft.RecoveryServices/vaults';

/**
 * The most vaults one automation account serves by list in the existing-vaults scenario (vaults
 * found by discovery are not counted: the scope is passed, not the ids). Each time zone's vaults run
 * in one job, under one deadline of at most 10200 s (a cloud job is unloaded after 3 hours of
 * fair-share run time). The runbook reconciles them side by side; measured (docs/estate-scale.md,
 * `npm run bench -- runbook-fleet`): 500 vaults of 4 mappings and 20 machines each, 50 ms per
 * request, took 95 s on an ordinary night with the runbook's defaults, well inside the deadline,
 * with pwsh below 300 MB. The bound is the largest fleet measured; the job parameter then carries
 * 500 comma-separated ids. A larger estate: use discovery, or several accounts.
 */
export const MAX_VAULTS_PER_ACCOUNT = 500;

/**
 * The deadline a fleet job runs under, in seconds: the runbook's longest (`TimeoutSeconds` accepts
 * 5-10200), below Automation's 3-hour fair-share limit. {@link MAX_VAULTS_PER_ACCOUNT} is sized for
 * it; the runbook's own default (3600) is for one vault.
 */
export const FLEET_TIMEOUT_SECONDS = 10200;

/** A vault that already exists, given by its resource id. `R`: the engine's reference type. */
export interface ExistingVaultProps<R = never> {
  /**
   * The vault's resource id:
   * `/subscriptions/{guid}/resourceGroups/{name}/providers/Microsoft.RecoveryServices/vaults/{name}`
   * (the rule the runbook applies too: see `parseVaultResourceId`).
   * In the existing-vaults scenario, a literal or a reference (a cdktf/cdktn data source attribute or
   * `TerraformVariable`, a Pulumi Output such as a StackReference's) given with a `key`: a literal is
   * checked now, a reference when it is known (Pulumi) or by the runbook each night (Terraform).
   * With `RecoveryVault.fromVaultId`, a literal: the automation account's default names derive from
   * the vault's name and resource group.
   */
  readonly vaultResourceId: ResourceRef<R>;
  /**
   * A stable key for this vault (existing-vaults scenario): 1-63 letters, digits, `-` and `_`,
   * starting with a letter or digit, each key once (compared case-insensitively). The role
   * assignment's name and construct id derive from it, so that adding, removing or reordering
   * vaults never replaces another vault's assignment. Required when `vaultResourceId` is a
   * reference, whose value is not known at synthesis.
   * @default the vault id in lower case (literal ids only)
   */
  readonly key?: string;
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
export interface ExistingVaultOptions extends Omit<ExistingVaultProps, 'vaultResourceId' | 'key'> {
  /**
   * The vault's region: where the automation building block puts its account by default. Azure
   * does not put the region in a resource id.
   * @default `sourceRegion`
   */
  readonly location?: string;
}

/** A validated existing vault: what its id says, and the time zone of its nightly run. */
export interface ExistingVaultSpec<R = never> extends VaultFacts {
  readonly kind: 'existing';
  /** The resource id as given (trailing slash removed), or the engine's reference, carried as it is. */
  readonly resourceId: ResourceRef<R>;
  /** Lower case; '' when the id is a reference. */
  readonly subscriptionId: string;
  /** '' when the id is a reference. */
  readonly resourceGroupName: string;
  /** '' when the id is a reference. */
  readonly name: string;
  /** The stable key names and ids derive from: `key`, else the literal id in lower case. */
  readonly key: string;
  /** Whether the user gave `key` (names then derive from it, not from the id). */
  readonly keyGiven: boolean;
  /** Whether the id is a reference known only at deploy. */
  readonly reference: boolean;
  /** The region the account goes to by default (building block only); '' in a fleet. */
  readonly location: string;
  readonly timeZone: string;
}

const EXISTING_VAULT_PROP_NAMES = ['vaultResourceId', 'sourceRegion', 'timeZone'] as const;

/** A vault's stable key: 1-63 letters, digits, `-` and `_`, starting with a letter or digit. */
export const VAULT_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

const VAULT_ID_RULE = `must be a ${RECOVERY_SERVICES_VAULT_TYPE} resource id (/subscriptions/{guid}/resourceGroups/{name}/providers/${RECOVERY_SERVICES_VAULT_TYPE}/{name}): a resource group of 1-90 letters, digits, _ - . ( ) not ending with a period, a vault name of 2-50 letters, digits and hyphens starting with a letter, at most one trailing slash, no white space, query, fragment or other segment (the runbook refuses anything else)`;

/** The value check of a vault id (a literal, or a reference once known): the one rule, `parseVaultResourceId`. */
export function checkVaultIdValue(rules: RuleSet, prop: string, value: unknown): boolean {
  return rules.check(
    typeof value === 'string' && parseVaultResourceId(value) !== undefined,
    prop,
    value,
    VAULT_ID_RULE,
  );
}

/**
 * Checks a vault resource id prop that must be a literal (`RecoveryVault.fromVaultId`, exclusions):
 * the type compared case-insensitively, the rest by `parseVaultResourceId`.
 */
export function checkVaultResourceId(rules: RuleSet, prop: string, value: unknown): value is string {
  return (
    rules.literal(
      prop,
      value,
      "the vault's name and resource group, from which the account's default names and the role assignment and job schedule ids derive, are read from the id at synthesis",
    ) &&
    rules.required(prop, value) &&
    checkVaultIdValue(rules, prop, value)
  );
}

/**
 * Validates an existing vault. `withLocation`: the building block's form, which also places the
 * account. `fleet`: the scenario's form, where the id may be a reference given with a `key`.
 */
export function resolveExistingVault<R = never>(
  rules: RuleSet,
  props: ExistingVaultProps<NoInfer<R>> & { readonly location?: string },
  withLocation = false,
  fleet = false,
): ExistingVaultSpec<R> {
  const p = rules.props(props, [
    ...EXISTING_VAULT_PROP_NAMES,
    ...(withLocation ? ['location'] : []),
    ...(fleet ? ['key'] : []),
  ]);
  const reference = fleet && rules.isDeployTime(p.vaultResourceId);
  let resourceId: ResourceRef<R> = '';
  let parsed: ReturnType<typeof parseVaultResourceId>;
  if (reference) {
    rules.check(
      p.key !== undefined,
      'key',
      p.key,
      "is required when vaultResourceId is a reference: the vault's id is not known at synthesis, so its role assignment's name and construct id need a stable key of yours; without one, adding or reordering vaults would replace other vaults' role assignments",
    );
    resourceId = rules.ref('vaultResourceId', p.vaultResourceId, checkVaultIdValue) as ResourceRef<R>;
  } else if (checkVaultResourceId(rules, 'vaultResourceId', p.vaultResourceId)) {
    resourceId = p.vaultResourceId.replace(/\/$/, '');
    parsed = parseVaultResourceId(resourceId);
  }
  const keyOk =
    p.key === undefined ||
    (rules.literal('key', p.key, 'role assignment names and construct ids derive from it at synthesis') &&
      rules.check(
        typeof p.key === 'string' && VAULT_KEY.test(p.key),
        'key',
        p.key,
        'a vault key has 1-63 characters: letters, digits, - and _, starting with a letter or digit',
      ));
  const key =
    keyOk && typeof p.key === 'string'
      ? p.key.toLowerCase()
      : typeof resourceId === 'string'
        ? resourceId.toLowerCase()
        : '';
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
    key,
    keyGiven: keyOk && p.key !== undefined,
    reference,
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

/** A vault tag to select vaults by, in discovery. */
export interface VaultTagFilter {
  /** The tag's name (compared case-insensitively, as ARM compares tag names): 1-512 characters, none of `< > % & \\ ? /`, `=` or a control character. */
  readonly name: string;
  /**
   * The tag's value (compared as Azure Resource Graph compares strings): at most 256 characters, no control character.
   * @default any value: the tag only has to be present
   */
  readonly value?: string;
}

/**
 * Vaults found each night instead of (or besides) a list: every Recovery Services vault in the
 * subscriptions and/or the management group, optionally only those carrying a tag, minus the
 * exclusions. The runbook asks Azure Resource Graph for them at the start of each job, so a vault
 * created tomorrow is covered the next night without a redeploy.
 *
 * The price: the account's identity gets its role (`automation.roleDefinition`) on each whole
 * subscription or management group, which policy rule ASR-W01 reports as a warning at synthesis.
 * Resource Graph shows the runbook only what that role lets it read: Contributor (the default)
 * covers it. With a narrower custom role, grant `Microsoft.RecoveryServices/vaults/read` on the
 * scope as well as the Site Recovery actions the runbook needs.
 */
export interface VaultDiscoveryProps {
  /**
   * Subscriptions to search, as GUIDs, each once: 1 to {@link MAX_DISCOVERY_SUBSCRIPTIONS}.
   * Literals: each gets a role assignment named from it.
   * @default none: give this, `managementGroupId`, or both
   */
  readonly subscriptionIds?: readonly string[];
  /**
   * A management group to search (its id, not its display name): 1-90 letters, digits, `-`, `_`,
   * `(`, `)` and `.`, not ending with `.`. A literal.
   * @default none: give this, `subscriptionIds`, or both
   */
  readonly managementGroupId?: string;
  /**
   * Only vaults carrying this tag (and value, when given).
   * @default every vault in scope
   */
  readonly tag?: VaultTagFilter;
  /**
   * Vault ids never reconciled even when found, by the same rule as a vault id; literals.
   * @default none
   */
  readonly excludeVaultResourceIds?: readonly string[];
  /**
   * IANA time zone of the nightly discovery job (for example `Europe/Amsterdam`). Required: a scope
   * has no region to derive it from. Listed vaults in the same zone run in the same job; listed
   * vaults in other zones are excluded from it, so that each vault is reconciled once a night.
   */
  readonly timeZone: string;
}

/** The most subscriptions one discovery searches (Resource Graph takes them in one request). */
export const MAX_DISCOVERY_SUBSCRIPTIONS = 100;

/** A management group id: 1-90 letters, digits, `-`, `_`, `(`, `)` and `.`, not ending with `.`. */
export const MANAGEMENT_GROUP_ID = /^[A-Za-z0-9_().-]{0,89}[A-Za-z0-9_()-]$/;

/** Keeps agents current on vaults that already exist: one automation account for the whole fleet. `R`: the engine's reference type. */
export interface ExistingVaultsScenarioProps<R = never> {
  /**
   * The vaults, 0 to {@link MAX_VAULTS_PER_ACCOUNT}, each once (ids compared case-insensitively, keys too).
   * @default none: then `discovery` is required
   */
  readonly vaults?: readonly ExistingVaultProps<R>[];
  /**
   * Vaults found each night by scope and tag (see {@link VaultDiscoveryProps}).
   * @default none: only the listed `vaults`
   */
  readonly discovery?: VaultDiscoveryProps;
  readonly automation: ExistingVaultsAutomationProps;
  /**
   * Reasoned exceptions to warning rules.
   * @default none
   */
  readonly suppressions?: readonly Suppression[];
}

/** A validated discovery. */
export interface VaultDiscoverySpec {
  /** Lower case, in the order given. */
  readonly subscriptionIds: readonly string[];
  readonly managementGroupId?: string;
  readonly tag?: { readonly name: string; readonly value?: string };
  /** As given (trailing slash removed). */
  readonly excludeVaultResourceIds: readonly string[];
  readonly timeZone: string;
}

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

/** A role assignment of a fleet: on an existing vault, a discovery scope, or a scope the user added (never a managed vault). */
export type FleetRoleAssignmentSpec<R = never> = RoleAssignmentSpec<R> & {
  readonly scope: Exclude<RoleAssignmentSpec<R>['scope'], { readonly kind: 'vault' }>;
};

/** The fleet's automation: the account, runtime, runbook, alert and diagnostics, a schedule per time zone, a role per vault and discovery scope. */
export type FleetAutomationSpec<R = never> = Omit<
  AutoUpdateAutomationSpec,
  'schedule' | 'jobScheduleId' | 'jobParameters' | 'roleAssignments'
> & {
  readonly schedules: readonly FleetScheduleSpec<R>[];
  /** Each vault's role first (in the order given), then each discovery scope, then any scope the user added. */
  readonly roleAssignments: readonly FleetRoleAssignmentSpec<R>[];
};

export interface ExistingVaultsScenarioSpec<R = never> {
  readonly scenario: 'existing';
  readonly vaults: readonly ExistingVaultSpec<R>[];
  readonly discovery?: VaultDiscoverySpec;
  readonly automation: FleetAutomationSpec<R>;
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

function resolveVaultList<R>(rules: RuleSet, value: unknown, discovery: boolean): ExistingVaultSpec<R>[] {
  const list = rules.list(
    'vaults',
    value,
    'existing vaults ({ vaultResourceId, key?, sourceRegion | timeZone })',
  );
  if (list === undefined) {
    rules.check(
      value !== undefined || discovery,
      'vaults',
      value,
      'is required unless discovery is given: a list of existing vaults',
    );
    return [];
  }
  rules.check(
    list.length >= (discovery ? 0 : 1) && list.length <= MAX_VAULTS_PER_ACCOUNT,
    'vaults',
    `${list.length} vaults`,
    `one automation account serves ${discovery ? 0 : 1} to ${MAX_VAULTS_PER_ACCOUNT} listed vaults (a job must finish within Azure Automation's 3-hour fair-share limit); split a larger fleet over several accounts, or find the vaults by discovery`,
  );
  const seenIds = new Map<string, number>();
  const seenKeys = new Map<string, number>();
  return list.map((entry, i) => {
    const spec = resolveExistingVault<R>(
      rules.child(`vaults[${i}]`),
      entry as ExistingVaultProps<R>,
      false,
      true,
    );
    const id = typeof spec.resourceId === 'string' ? spec.resourceId.toLowerCase() : '';
    if (id) {
      rules.check(
        !seenIds.has(id),
        `vaults[${i}].vaultResourceId`,
        spec.resourceId,
        `each vault may appear once (ids compared case-insensitively); already given as vaults[${seenIds.get(id)}]`,
      );
      if (!seenIds.has(id)) seenIds.set(id, i);
    }
    if (spec.key && id !== spec.key) {
      rules.check(
        !seenKeys.has(spec.key),
        `vaults[${i}].key`,
        spec.key,
        `each key may appear once (compared case-insensitively); already given as vaults[${seenKeys.get(spec.key)}]`,
      );
      if (!seenKeys.has(spec.key)) seenKeys.set(spec.key, i);
    }
    return spec;
  });
}

/** Tag names and values: what the runbook's `DiscoveryTag` (`name=value`) can carry. */
function checkTag(rules: RuleSet, value: unknown): VaultDiscoverySpec['tag'] {
  const t = rules.object('discovery.tag', value, ['name', 'value'], 'an object { name, value? }');
  if (!t) return undefined;
  const control = {
    test: (v: string) => [...v].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127),
  };
  const nameOk = rules.check(
    typeof t.name === 'string' &&
      t.name.length >= 1 &&
      t.name.length <= 512 &&
      !/[<>%&\\?/=]/.test(t.name) &&
      !control.test(t.name) &&
      t.name.trim() === t.name,
    'discovery.tag.name',
    t.name,
    'a tag name has 1-512 characters, none of < > % & \\ ? / (Azure) nor = (it separates name and value in the job parameter) nor a control character, and no leading or trailing space',
  );
  const valueOk = rules.check(
    t.value === undefined || (typeof t.value === 'string' && t.value.length <= 256 && !control.test(t.value)),
    'discovery.tag.value',
    t.value,
    'a tag value is a string of at most 256 characters without a control character',
  );
  return nameOk && valueOk
    ? { name: t.name as string, ...(t.value !== undefined ? { value: t.value as string } : {}) }
    : undefined;
}

function resolveDiscovery(rules: RuleSet, value: unknown): VaultDiscoverySpec | undefined {
  const d = rules.object(
    'discovery',
    value,
    ['subscriptionIds', 'managementGroupId', 'tag', 'excludeVaultResourceIds', 'timeZone'],
    'an object { subscriptionIds?, managementGroupId?, tag?, excludeVaultResourceIds?, timeZone }',
  );
  if (!d) return undefined;
  const why =
    'the role assignment at the scope is named from it, and the scope-width check (ASR-W01) needs it';
  const subs: string[] = [];
  const subList = rules.literal('discovery.subscriptionIds', d.subscriptionIds, why)
    ? rules.list('discovery.subscriptionIds', d.subscriptionIds, 'subscription ids (GUIDs)')
    : undefined;
  if (subList !== undefined) {
    rules.check(
      subList.length >= 1 && subList.length <= MAX_DISCOVERY_SUBSCRIPTIONS,
      'discovery.subscriptionIds',
      `${subList.length} subscriptions`,
      `lists 1 to ${MAX_DISCOVERY_SUBSCRIPTIONS} subscriptions (omit it to search the management group alone)`,
    );
    subList.forEach((sub, i) => {
      const prop = `discovery.subscriptionIds[${i}]`;
      if (!rules.literal(prop, sub, why)) return;
      if (
        !rules.check(
          typeof sub === 'string' && GUID_PATTERN.test(sub),
          prop,
          sub,
          'must be a subscription id: a GUID such as 00000000-0000-0000-0000-000000000000',
        )
      )
        return;
      const lower = (sub as string).toLowerCase();
      if (
        rules.check(
          !subs.includes(lower),
          prop,
          sub,
          'each subscription may appear once (compared case-insensitively)',
        )
      )
        subs.push(lower);
    });
  }
  const mgOk =
    rules.literal('discovery.managementGroupId', d.managementGroupId, why) &&
    rules.check(
      d.managementGroupId === undefined ||
        (typeof d.managementGroupId === 'string' && MANAGEMENT_GROUP_ID.test(d.managementGroupId)),
      'discovery.managementGroupId',
      d.managementGroupId,
      'a management group id has 1-90 characters: letters, digits, - _ ( ) and ., not ending with a period (the id, not the display name)',
    );
  rules.check(
    d.subscriptionIds !== undefined || d.managementGroupId !== undefined,
    'discovery',
    value,
    'needs a scope: subscriptionIds, managementGroupId, or both',
  );
  const tag = checkTag(rules, d.tag);
  const excluded: string[] = [];
  const exList = rules.list(
    'discovery.excludeVaultResourceIds',
    d.excludeVaultResourceIds,
    'vault resource ids',
  );
  exList?.forEach((id, i) => {
    const prop = `discovery.excludeVaultResourceIds[${i}]`;
    if (!checkVaultResourceId(rules, prop, id)) return;
    const trimmed = id.replace(/\/$/, '');
    if (
      rules.check(
        !excluded.some((e) => e.toLowerCase() === trimmed.toLowerCase()),
        prop,
        id,
        'each vault may appear once (ids compared case-insensitively)',
      )
    )
      excluded.push(trimmed);
  });
  const zoneOk = rules.check(
    typeof d.timeZone === 'string' && isIanaTimeZone(d.timeZone),
    'discovery.timeZone',
    d.timeZone,
    d.timeZone === undefined
      ? 'is required with discovery: the nightly job runs at midnight in a time zone you state (a scope has no region to derive it from), an IANA name such as Europe/Amsterdam'
      : 'must be an IANA time zone name such as Europe/Amsterdam (Windows names such as "W. Europe Standard Time" are not accepted)',
  );
  return {
    subscriptionIds: subs,
    ...(mgOk && typeof d.managementGroupId === 'string' ? { managementGroupId: d.managementGroupId } : {}),
    ...(tag ? { tag } : {}),
    excludeVaultResourceIds: excluded,
    timeZone: zoneOk ? (d.timeZone as string) : 'Etc/UTC',
  };
}

/** How a list of ids shows in a job parameter of the plan: literals as they are, references by their prop. */
function joinIds<R>(ids: readonly { readonly id: ResourceRef<R>; readonly index: number }[]): string {
  return ids.map((x) => (typeof x.id === 'string' ? x.id : `<vaults[${x.index}].vaultResourceId>`)).join(',');
}

/** Validates the existing-vaults scenario. Throws one `ValidationError` listing every violated rule. */
export function resolveExistingVaultsScenario<R = never>(
  props: ExistingVaultsScenarioProps<R>,
  deployTime: DeployTimeValues = LITERALS_ONLY,
): ExistingVaultsScenarioSpec<R> {
  const rules = RuleSet.for('Existing vaults scenario', deployTime);
  const p = rules.props(props, ['vaults', 'discovery', 'automation', 'suppressions']);
  const discovery = resolveDiscovery(rules, p.discovery);
  const vaults = resolveVaultList<R>(rules, p.vaults, p.discovery !== undefined);
  if (discovery)
    discovery.excludeVaultResourceIds.forEach((ex, i) => {
      const listed = vaults.findIndex(
        (v) => typeof v.resourceId === 'string' && v.resourceId.toLowerCase() === ex.toLowerCase(),
      );
      rules.check(
        listed < 0,
        `discovery.excludeVaultResourceIds[${i}]`,
        ex,
        `is also listed as vaults[${listed}]: a vault is either listed or excluded`,
      );
    });
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
  const vaultRoles: FleetRoleAssignmentSpec<R>[] = roleGuid
    ? vaults.flatMap((v, i) =>
        v.key === ''
          ? []
          : [
              {
                // A literal id without a key keeps the name it always had (the id in lower case).
                name: uuidV5(`${assignmentKey}|${v.keyGiven ? `key:${v.key}` : v.key}|${roleGuid}`),
                roleDefinitionGuid: roleGuid,
                scope: {
                  kind: 'existingVault' as const,
                  resourceId: v.resourceId,
                  subscriptionId: v.subscriptionId,
                  vaultIndex: i,
                  key: v.key,
                },
                principalType: 'ServicePrincipal' as const,
              },
            ],
      )
    : [];
  const discoveryRoles: FleetRoleAssignmentSpec<R>[] =
    roleGuid && discovery
      ? [
          ...discovery.subscriptionIds.map((sub) => ({
            scope: {
              kind: 'discovery' as const,
              resourceId: `/subscriptions/${sub}`,
              width: 'subscription' as const,
              subscriptionId: sub,
              prop: `discovery.subscriptionIds[${discovery.subscriptionIds.indexOf(sub)}]`,
            },
          })),
          ...(discovery.managementGroupId
            ? [
                {
                  scope: {
                    kind: 'discovery' as const,
                    resourceId: `/providers/Microsoft.Management/managementGroups/${discovery.managementGroupId}`,
                    width: 'managementGroup' as const,
                    subscriptionId: '',
                    prop: 'discovery.managementGroupId',
                  },
                },
              ]
            : []),
        ].map(({ scope }) => ({
          name: uuidV5(`${assignmentKey}|discovery|${scope.resourceId.toLowerCase()}|${roleGuid}`),
          roleDefinitionGuid: roleGuid,
          scope,
          principalType: 'ServicePrincipal' as const,
        }))
      : [];
  const zones = [
    ...new Set([...vaults.map((v) => v.timeZone), ...(discovery ? [discovery.timeZone] : [])]),
  ].sort();
  const schedules: FleetScheduleSpec<R>[] = zones.map((timeZone) => {
    const key = timeZoneKey(timeZone);
    const name = `${schedule.name}-${key}`;
    const listed = vaults.flatMap((v, index) =>
      v.timeZone === timeZone ? [{ id: v.resourceId, index }] : [],
    );
    const discovers = discovery !== undefined && discovery.timeZone === timeZone;
    // Listed vaults of other zones run in their own zone's job: the discovery job leaves them out.
    const others = discovers
      ? vaults.flatMap((v, index) => (v.timeZone !== timeZone ? [{ id: v.resourceId, index }] : []))
      : [];
    const excluded = discovers
      ? [
          ...discovery.excludeVaultResourceIds.map((id) => ({ id: id as ResourceRef<R>, index: -1 })),
          ...others,
        ]
      : [];
    const tag = discovery?.tag;
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
        ...(listed.length > 0 ? { vaultresourceids: joinIds(listed) } : {}),
        autoupdateaction: base.autoUpdateAction,
        automationaccountarmid: '<automationAccount.id>',
        providers: base.jobParameters.providers,
        timeoutseconds: String(FLEET_TIMEOUT_SECONDS),
        ...(discovers && discovery.subscriptionIds.length > 0
          ? { discoverysubscriptionids: discovery.subscriptionIds.join(',') }
          : {}),
        ...(discovers && discovery.managementGroupId
          ? { discoverymanagementgroupid: discovery.managementGroupId }
          : {}),
        ...(discovers && tag
          ? { discoverytag: tag.value === undefined ? tag.name : `${tag.name}=${tag.value}` }
          : {}),
        ...(excluded.length > 0 ? { excludevaultresourceids: joinIds(excluded) } : {}),
        ...base.visibility?.jobParameters,
      },
      vaultResourceIds: listed.map((x) => x.id),
      discovery: discovers,
      excludeVaultResourceIds: excluded.map((x) => x.id),
    };
  });
  const automation: FleetAutomationSpec<R> = {
    ...account,
    runbook: {
      ...account.runbook,
      description: discovery
        ? `Keeps Site Recovery Mobility-service auto-update ${base.autoUpdateAction.toLowerCase()} on every container mapping of the vaults it finds each night${vaults.length > 0 ? ` and ${vaults.length} listed vault(s)` : ''} (runbook ${account.runbook.asset.version}, sha256 ${account.runbook.asset.sha256}).`
        : `Keeps Site Recovery Mobility-service auto-update ${base.autoUpdateAction.toLowerCase()} on every container mapping of ${vaults.length} existing vault(s) (runbook ${account.runbook.asset.version}, sha256 ${account.runbook.asset.sha256}).`,
    },
    // Each vault's role first (in the order given), then each discovery scope, then any scope the user asked for.
    roleAssignments: [
      ...vaultRoles,
      ...discoveryRoles,
      ...roleAssignments.flatMap((ra): FleetRoleAssignmentSpec<R>[] =>
        ra.scope.kind === 'resource' ? [{ ...ra, scope: ra.scope }] : [],
      ),
    ],
    schedules,
  };
  // A discovery scope's warning names the scenario's `discovery` prop, not an automation prop.
  const warnings = runPolicyChecks(
    rules,
    { automation },
    p.suppressions as readonly Suppression[] | undefined,
  ).map((w) =>
    w.prop.startsWith('automation.discovery.') ? { ...w, prop: w.prop.slice('automation.'.length) } : w,
  );
  rules.throwIfAny('Existing vaults scenario');
  return { scenario: 'existing', vaults, ...(discovery ? { discovery } : {}), automation, warnings };
}

/**
 * A zone's job parameters as an engine passes them: the account's id in place of its symbol, and
 * the lists joined by the engine (`join`), since a reference in them is only known at deploy.
 * Keys in the order of the plan, lower case.
 */
export function fleetJobParameters<R, A, J>(
  s: FleetScheduleSpec<R>,
  accountId: A,
  join: (ids: readonly ResourceRef<R>[]) => J,
): Record<string, string | A | J> {
  const out: Record<string, string | A | J> = {};
  for (const [k, v] of Object.entries(s.jobParameters) as [string, string | undefined][]) {
    if (v === undefined) continue;
    out[k] =
      k === 'automationaccountarmid'
        ? accountId
        : k === 'vaultresourceids'
          ? join(s.vaultResourceIds)
          : k === 'excludevaultresourceids'
            ? join(s.excludeVaultResourceIds)
            : v;
  }
  return out;
}

/** The description of a zone's schedule. */
export function fleetScheduleDescription(s: FleetScheduleSpec<unknown>): string {
  const listed = `${s.vaultResourceIds.length} listed vault(s)`;
  return s.discovery
    ? `Daily at ${s.timeOfDay} ${s.timeZone}, for the vaults found in scope${s.vaultResourceIds.length > 0 ? ` and ${listed}` : ''}.`
    : `Daily at ${s.timeOfDay} ${s.timeZone}, for ${s.vaultResourceIds.length} vault(s).`;
}

/** The description of a fleet role assignment. */
export function fleetRoleDescription(kind: FleetRoleAssignmentSpec<unknown>['scope']['kind']): string {
  return kind === 'discovery'
    ? 'Lets the Site Recovery auto-update runbook find the vaults in this scope (Azure Resource Graph) and read and patch their container mappings.'
    : 'Lets the Site Recovery auto-update runbook read and patch the vault container mappings.';
}
