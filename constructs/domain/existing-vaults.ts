import {
  AUTOMATION_PROP_NAMES,
  resolveRunbookJob,
  resolveSharedAutomationParts,
  type AutoUpdateAutomationProps,
  type AutoUpdateAutomationSpec,
  type VaultFacts,
} from './automation';
import { resolveAutomationAccount, type AccountOwner, type AccountPropsInput } from './automation-account';
import { AUTOMATION_DEFAULTS } from './automation-defaults';
import { runPolicyChecks, type Finding, type Suppression } from './checks';
import { readClock, resolveTimeOfDay } from './daily-schedule';
import { zoneSchedules, type FleetScheduleSpec } from './fleet-schedules';
import { GUID_PATTERN, parseVaultResourceId } from './naming';
import { isIanaTimeZone, normalizeRegion, regionInfo } from './regions';
import {
  discoveryRoleAssignments,
  existingVaultRoleAssignments,
  type FleetRoleAssignmentSpec,
} from './role-assignments';
import { LITERALS_ONLY, RuleSet, type DeployTimeValues, type ResourceRef } from './rules';
import { runbookSpec } from './runbook-hosting';

export {
  FLEET_TIMEOUT_SECONDS,
  fleetScheduleDescription,
  timeZoneKey,
  type FleetJobScheduleParameters,
  type FleetScheduleSpec,
} from './fleet-schedules';
export type { FleetRoleAssignmentSpec } from './role-assignments';

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
  const automation = resolveFleetAutomation<R>(rules, p.automation, vaults, discovery);
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
 * The fleet's automation, from the same parts as a vault's: the account (a fleet has no vault to be
 * named after, so its name, group and region are required and its names derive from them), the
 * runbook's job, a schedule per time zone, the shared parts, and a role per vault and discovery scope.
 */
function resolveFleetAutomation<R>(
  rules: RuleSet,
  props: unknown,
  vaults: readonly ExistingVaultSpec<R>[],
  discovery: VaultDiscoverySpec | undefined,
): FleetAutomationSpec<R> {
  const a = rules.props(props, FLEET_AUTOMATION_PROP_NAMES, 'automation');
  const ar = rules.child('automation');
  ar.required('name', a.name);
  ar.required('resourceGroupName', a.resourceGroupName);
  ar.required('location', a.location);
  const now = readClock(ar, a.clock);
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  const owner: AccountOwner = {
    name: str(a.name),
    resourceGroupName: str(a.resourceGroupName),
    location: typeof a.location === 'string' && regionInfo(a.location) ? normalizeRegion(a.location) : '',
    tags: {},
  };
  const account = resolveAutomationAccount<never>(ar, a as AccountPropsInput, owner);
  const job = resolveRunbookJob(ar, a);
  const timeOfDay = resolveTimeOfDay(ar, a.timeOfDay) ?? AUTOMATION_DEFAULTS.timeOfDay;
  const shared = resolveSharedAutomationParts<never>(ar, a, owner, account, job.runbookName, now);
  const autoUpdateAction = job.givenAction ?? 'Enabled';
  const roleGuid = shared.roleGuid;
  return {
    ...account,
    providers: job.providers,
    autoUpdateAction,
    runtime: shared.runtime,
    runbook: runbookSpec<never>(
      job.runbookName,
      autoUpdateAction,
      { kind: 'fleet', listedVaults: vaults.length, discovery: discovery !== undefined },
      shared.contentLink,
      shared.storage,
    ),
    diagnosticSettings: shared.diagnosticSettings,
    tags: shared.tags,
    failedJobAlert: shared.failedJobAlert,
    visibility: shared.visibility,
    // Each vault's role first (in the order given), then each discovery scope, then any scope the user asked for.
    roleAssignments: roleGuid
      ? [
          ...existingVaultRoleAssignments(vaults, shared.nameKey, roleGuid),
          ...(discovery ? discoveryRoleAssignments<R>(discovery, shared.nameKey, roleGuid) : []),
          ...shared.additionalRoles.flatMap((ra): FleetRoleAssignmentSpec<R>[] =>
            ra.scope.kind === 'resource' ? [{ ...ra, scope: ra.scope }] : [],
          ),
        ]
      : [],
    schedules: zoneSchedules(
      vaults,
      discovery,
      {
        nameKey: shared.nameKey,
        runbookName: job.runbookName,
        scheduleName: job.scheduleName,
        timeOfDay,
        autoUpdateAction,
        providers: job.providers.join(','),
        visibility: shared.visibility !== undefined,
      },
      now,
    ),
  };
}
