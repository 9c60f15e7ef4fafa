import { parseResourceId, uuidV5, type ResourceId } from './naming';
import {
  KNOWN_ROLES,
  knownRoleByGuid,
  roleDefinitionGuid,
  RUNBOOK_ROLE_ACTIONS,
  type KnownRole,
} from './roles';
import type { ResourceRef, RuleSet } from './rules';

/** How much a scope covers, relative to the vault. */
export type ScopeWidth = 'subscription' | 'resourceGroup' | 'resource';

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
  /** The role is the custom role this output declares ({@link CustomRoleDefinitionSpec}): the assignment waits for it. */
  readonly customRole?: true;
}

/**
 * The custom role the library declares for the discovery scopes of one automation account, when
 * `automation.roleDefinition` is not given: only the actions the runbook's requests need
 * ({@link RUNBOOK_ROLE_ACTIONS}), assignable at exactly the discovery scopes.
 */
export interface CustomRoleDefinitionSpec {
  /** The role definition's GUID (its resource name): a name-based UUID of the account's name key. */
  readonly guid: string;
  /** The role's name (`roleName`), unique in the tenant: it carries the GUID's first 8 digits. */
  readonly roleName: string;
  /** What the role is for, shown in the portal. */
  readonly description: string;
  /** Where the definition is created: its first assignable scope. */
  readonly scope: string;
  /**
   * The discovery scopes: the subscriptions in the order given, then the management group (Azure
   * allows one management group per custom role; discovery takes one).
   */
  readonly assignableScopes: readonly string[];
  /** {@link RUNBOOK_ROLE_ACTIONS}: the runbook's requests' actions, no wildcard. */
  readonly actions: readonly string[];
  /** Always empty: effective permissions are exactly `actions`. */
  readonly notActions: readonly string[];
}

/** The custom role's stable key: a new version of it gets a new GUID (and is a new role). */
export const RUNBOOK_ROLE_KEY = 'asr-mobility-autoupdate/runbook-role/v1';

/** The custom role of an automation account (`nameKey`) for its discovery scopes (resource ids). */
export function runbookRoleDefinition(nameKey: string, scopes: readonly string[]): CustomRoleDefinitionSpec {
  const guid = uuidV5(`${nameKey}|role-definition|${RUNBOOK_ROLE_KEY}`);
  return {
    guid,
    roleName: `Site Recovery Mobility auto-update runbook (${guid.slice(0, 8)})`,
    description:
      "Reads Recovery Services vaults, lists, reads and patches their replication protection container mappings, tracks the patch's operation and lists protected items: the Site Recovery Mobility auto-update runbook's requests, nothing else.",
    scope: scopes[0] ?? '',
    assignableScopes: [...scopes],
    actions: [...RUNBOOK_ROLE_ACTIONS],
    notActions: [],
  };
}

/** A role assignment of a fleet: on an existing vault, a discovery scope, or a scope the user added (never a managed vault). */
export type FleetRoleAssignmentSpec<R = never> = RoleAssignmentSpec<R> & {
  readonly scope: Exclude<RoleAssignmentSpec<R>['scope'], { readonly kind: 'vault' }>;
};

/** The kind of scope an assignment of the automation's identity has: its role assignments', or the data collection rule's. */
export type AssignmentScopeKind = RoleAssignmentSpec['scope']['kind'] | 'dataCollectionRule';

/**
 * Where a role definition's id is scoped, decided once for both engines: at the tenant root (an
 * assignment at a management group), in a subscription known at synthesis, or in the subscription
 * of the assignment's scope, read by the engine from the scope's id at deploy (`lowerCase`: as
 * a fleet's vault ids compare, case-insensitively).
 */
export type RoleDefinitionScope =
  | { readonly kind: 'tenant' }
  | { readonly kind: 'subscription'; readonly subscriptionId: string }
  | { readonly kind: 'subscriptionOfScope'; readonly lowerCase: boolean };

/** The scope of an assignment's role definition id (azurerm replaces assignments whose id lacks a subscription it can have). */
export function roleDefinitionScope(
  scope: RoleAssignmentSpec<unknown>['scope'] | { readonly kind: 'dataCollectionRule' },
): RoleDefinitionScope {
  switch (scope.kind) {
    case 'vault':
    case 'dataCollectionRule':
      return { kind: 'subscriptionOfScope', lowerCase: false };
    case 'resource':
      return { kind: 'subscription', subscriptionId: scope.subscriptionId };
    case 'existingVault':
      return scope.subscriptionId
        ? { kind: 'subscription', subscriptionId: scope.subscriptionId }
        : { kind: 'subscriptionOfScope', lowerCase: true };
    case 'discovery':
      return scope.width === 'managementGroup'
        ? { kind: 'tenant' }
        : { kind: 'subscription', subscriptionId: scope.subscriptionId };
  }
}

/** A role definition's resource id: in `subscriptionId`, or at the tenant root when it is undefined. */
export function roleDefinitionResourceId(subscriptionId: string | undefined, guid: string): string {
  const definition = `/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
  return subscriptionId === undefined ? definition : `/subscriptions/${subscriptionId}${definition}`;
}

/** The subscription of a resource id (its third segment), as the engines read it at deploy. */
export function subscriptionOfId(id: string, lowerCase: boolean): string {
  const sub = id.split('/')[2] ?? '';
  return lowerCase ? sub.toLowerCase() : sub;
}

/** What an assignment of the automation's identity is for, by its scope. */
export function roleAssignmentDescription(kind: AssignmentScopeKind): string {
  switch (kind) {
    case 'discovery':
      return 'Lets the Site Recovery auto-update runbook find the vaults in this scope (Azure Resource Graph) and read and patch their container mappings.';
    case 'dataCollectionRule':
      return "Lets the Site Recovery auto-update runbook send its nightly rows to this rule's streams.";
    default:
      return 'Lets the Site Recovery auto-update runbook read and patch the vault container mappings.';
  }
}

/** Known roles that can patch container mappings (the names `roleDefinition` accepts). */
const WORKING_ROLE_NAMES = (Object.entries(KNOWN_ROLES) as [string, KnownRole][])
  .filter(([, r]) => r.writeMappings)
  .map(([n]) => n);

/**
 * The role's GUID from `roleDefinition` (a built-in name or a GUID), else undefined (reported). A
 * known role that cannot patch container mappings is refused: the runbook would get 403 on every
 * PATCH, every night.
 */
export function resolveRoleDefinition(rules: RuleSet, value: unknown, fallback: string): string | undefined {
  const input = value ?? fallback;
  const guid = typeof input === 'string' ? roleDefinitionGuid(input) : undefined;
  if (
    !rules.check(
      guid !== undefined,
      'roleDefinition',
      value,
      `must be a built-in role name this library knows (${WORKING_ROLE_NAMES.join(', ')}) or a role definition GUID`,
    )
  )
    return undefined;
  const known = knownRoleByGuid(guid!);
  if (
    !rules.check(
      known === undefined || known.writeMappings,
      'roleDefinition',
      value,
      `${known?.name} cannot write replication protection container mappings (no Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectionContainerMappings/write): the runbook would get 403 on every PATCH; use Contributor, a custom role with that action, or leave it unset`,
    )
  )
    return undefined;
  return guid;
}

function scopeWidth(parsed: ResourceId): ScopeWidth {
  if (!parsed.resourceGroupName) return 'subscription';
  if (!parsed.type) return 'resourceGroup';
  return 'resource';
}

/** The identity's role on the vault it serves. */
export function vaultRoleAssignment(nameKey: string, roleGuid: string): RoleAssignmentSpec {
  return {
    name: uuidV5(`${nameKey}|vault|${roleGuid}`),
    roleDefinitionGuid: roleGuid,
    scope: { kind: 'vault' },
    principalType: 'ServicePrincipal',
  };
}

/**
 * `additionalRoleScopes`: literal subscription, group or resource ids, each once, each given the
 * same role (none when the role is not valid; every scope is still checked).
 */
export function resolveAdditionalRoleScopes(
  rules: RuleSet,
  value: unknown,
  nameKey: string,
  roleGuid: string | undefined,
): RoleAssignmentSpec[] {
  const scopes = rules.list('additionalRoleScopes', value, 'resource ids') ?? [];
  const out: RoleAssignmentSpec[] = [];
  const seen = new Set<string>();
  scopes.forEach((scope, i) => {
    const prop = `additionalRoleScopes[${i}]`;
    const why =
      "the assignment's deterministic name and the scope-width check (ASR-W01) need the id at synthesis";
    if (!rules.literal(prop, scope, why)) return;
    const parsed = typeof scope === 'string' ? parseResourceId(scope) : undefined;
    const width = parsed ? scopeWidth(parsed) : undefined;
    const rule =
      'must be a subscription, resource group or resource id (/subscriptions/{guid}[/resourceGroups/{name}[/providers/...]])';
    if (!rules.check(parsed !== undefined && width !== undefined, prop, scope, rule)) return;
    const normalized = (scope as string).replace(/\/+$/, '');
    if (!rules.check(!seen.has(normalized.toLowerCase()), prop, scope, 'each scope may appear once')) return;
    seen.add(normalized.toLowerCase());
    if (!roleGuid) return;
    out.push({
      name: uuidV5(`${nameKey}|${normalized.toLowerCase()}|${roleGuid}`),
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
  return out;
}

/** What a fleet's vault role needs to know of a listed vault. */
export interface ListedVaultScope<R> {
  readonly resourceId: ResourceRef<R>;
  readonly subscriptionId: string;
  /** '' when the vault was invalid (no role then). */
  readonly key: string;
  readonly keyGiven: boolean;
}

/** The identity's role on each listed vault of a fleet, in the order given, named from the vault's stable key. */
export function existingVaultRoleAssignments<R>(
  vaults: readonly ListedVaultScope<R>[],
  nameKey: string,
  roleGuid: string,
): FleetRoleAssignmentSpec<R>[] {
  return vaults.flatMap((v, i): FleetRoleAssignmentSpec<R>[] =>
    v.key === ''
      ? []
      : [
          {
            // A literal id without a key keeps the name it always had (the id in lower case).
            name: uuidV5(`${nameKey}|${v.keyGiven ? `key:${v.key}` : v.key}|${roleGuid}`),
            roleDefinitionGuid: roleGuid,
            scope: {
              kind: 'existingVault',
              resourceId: v.resourceId,
              subscriptionId: v.subscriptionId,
              vaultIndex: i,
              key: v.key,
            },
            principalType: 'ServicePrincipal',
          },
        ],
  );
}

/** The identity's role on each discovery scope: the subscriptions in the order given, then the management group. */
export function discoveryRoleAssignments<R>(
  discovery: { readonly subscriptionIds: readonly string[]; readonly managementGroupId?: string },
  nameKey: string,
  roleGuid: string,
  customRole = false,
): FleetRoleAssignmentSpec<R>[] {
  const scopes: Extract<RoleAssignmentSpec['scope'], { readonly kind: 'discovery' }>[] = [
    ...discovery.subscriptionIds.map((sub, i) => ({
      kind: 'discovery' as const,
      resourceId: `/subscriptions/${sub}`,
      width: 'subscription' as const,
      subscriptionId: sub,
      prop: `discovery.subscriptionIds[${i}]`,
    })),
    ...(discovery.managementGroupId
      ? [
          {
            kind: 'discovery' as const,
            resourceId: `/providers/Microsoft.Management/managementGroups/${discovery.managementGroupId}`,
            width: 'managementGroup' as const,
            subscriptionId: '',
            prop: 'discovery.managementGroupId',
          },
        ]
      : []),
  ];
  return scopes.map((scope) => ({
    name: uuidV5(`${nameKey}|discovery|${scope.resourceId.toLowerCase()}|${roleGuid}`),
    roleDefinitionGuid: roleGuid,
    scope,
    principalType: 'ServicePrincipal',
    ...(customRole ? { customRole: true as const } : {}),
  }));
}

/** The discovery scopes' resource ids: the subscriptions in the order given, then the management group. */
export function discoveryScopeIds(discovery: {
  readonly subscriptionIds: readonly string[];
  readonly managementGroupId?: string;
}): string[] {
  return [
    ...discovery.subscriptionIds.map((sub) => `/subscriptions/${sub}`),
    ...(discovery.managementGroupId
      ? [`/providers/Microsoft.Management/managementGroups/${discovery.managementGroupId}`]
      : []),
  ];
}
