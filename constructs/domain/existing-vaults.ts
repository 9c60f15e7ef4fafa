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
import { parseVaultResourceId } from './naming';
import { isIanaTimeZone, normalizeRegion, regionInfo } from './regions';
import {
  discoveryRoleAssignments,
  existingVaultRoleAssignments,
  discoveryScopeIds,
  runbookRoleDefinition,
  type CustomRoleDefinitionSpec,
  type FleetRoleAssignmentSpec,
} from './role-assignments';
import { LITERALS_ONLY, RuleSet, type DeployTimeValues, type ResourceRef } from './rules';
import { runbookSpec } from './runbook-hosting';
import { resolveDiscovery, type VaultDiscoveryProps, type VaultDiscoverySpec } from './vault-discovery';
import { checkVaultIdValue, checkVaultResourceId } from './vault-id';

export {
  FLEET_TIMEOUT_SECONDS,
  fleetScheduleDescription,
  timeZoneKey,
  type FleetJobScheduleParameters,
  type FleetScheduleSpec,
} from './fleet-schedules';
export type { CustomRoleDefinitionSpec, FleetRoleAssignmentSpec } from './role-assignments';
export {
  MANAGEMENT_GROUP_ID,
  MAX_DISCOVERY_SUBSCRIPTIONS,
  type VaultDiscoveryProps,
  type VaultDiscoverySpec,
  type VaultTagFilter,
} from './vault-discovery';
export { checkVaultIdValue, checkVaultResourceId, RECOVERY_SERVICES_VAULT_TYPE } from './vault-id';

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

/** The fleet's automation: the account, runtime, runbook, alert and diagnostics, a schedule per time zone, a role per vault and discovery scope. */
export type FleetAutomationSpec<R = never> = Omit<
  AutoUpdateAutomationSpec,
  'schedule' | 'jobScheduleId' | 'jobParameters' | 'roleAssignments'
> & {
  readonly schedules: readonly FleetScheduleSpec<R>[];
  /** Each vault's role first (in the order given), then each discovery scope, then any scope the user added. */
  readonly roleAssignments: readonly FleetRoleAssignmentSpec<R>[];
  /**
   * The custom role assigned at each discovery scope, declared in the same output: present with
   * `discovery` when `roleDefinition` is not given.
   */
  readonly roleDefinition?: CustomRoleDefinitionSpec;
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
    { automation, ...(discovery ? { discovery } : {}) },
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
  // Discovery scopes get the library's custom role unless a role is asked for.
  const customRole =
    discovery && !shared.roleGiven
      ? runbookRoleDefinition(shared.nameKey, discoveryScopeIds(discovery))
      : undefined;
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
      shared.hosting,
    ),
    diagnosticSettings: shared.diagnosticSettings,
    tags: shared.tags,
    failedJobAlert: shared.failedJobAlert,
    visibility: shared.visibility,
    // Each vault's role first (in the order given), then each discovery scope, then any scope the user asked for.
    roleAssignments: roleGuid
      ? [
          ...existingVaultRoleAssignments(vaults, shared.nameKey, roleGuid),
          ...(discovery
            ? customRole
              ? discoveryRoleAssignments<R>(discovery, shared.nameKey, customRole.guid, true)
              : discoveryRoleAssignments<R>(discovery, shared.nameKey, roleGuid)
            : []),
          ...shared.additionalRoles.flatMap((ra): FleetRoleAssignmentSpec<R>[] =>
            ra.scope.kind === 'resource' ? [{ ...ra, scope: ra.scope }] : [],
          ),
        ]
      : [],
    ...(customRole && roleGuid ? { roleDefinition: customRole } : {}),
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
