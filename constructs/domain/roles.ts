/**
 * The roles this library knows, with what each lets the runbook do. Sources (see docs/security.md,
 * "Roles the library knows"): Learn's built-in roles pages, General and Privileged (Owner,
 * Contributor, Reader, User Access Administrator, Role Based Access Control Administrator),
 * Management and governance (the three Site Recovery roles) and Storage (Backup Contributor), read
 * against the Microsoft.RecoveryServices operations list ("Azure permissions for Management and
 * governance"). A capability is `true` only when one of the role's actions (or a wildcard of it)
 * names the operation and no not-action removes it.
 */
export interface KnownRole {
  /** The role definition GUID (the same in every subscription and tenant). */
  readonly guid: string;
  /**
   * Reads one container mapping (the nested `…/replicationProtectionContainerMappings/read`, the
   * runbook's check after a change).
   */
  readonly readMappings: boolean;
  /** Patches a container mapping (`…/replicationProtectionContainerMappings/write`): without it every PATCH is 403. */
  readonly writeMappings: boolean;
  /** Reads protected items (the nested `…/replicationProtectedItems/read`), for the agent report. */
  readonly readProtectedItems: boolean;
  /**
   * Lists at the vault level (`vaults/replicationProtectionContainerMappings/read` and
   * `vaults/replicationProtectedItems/read`), as the runbook's first request does. `false` for the
   * Site Recovery roles is derived from their published action lists, not observed live.
   */
  readonly listAtVaultLevel: boolean;
  /** Can grant access to others (`Microsoft.Authorization/roleAssignments/write`). */
  readonly privileged: boolean;
}

/**
 * Built-in Azure roles this library knows, by name. The ids are the same in every subscription;
 * adapters scope them to the subscription of the assignment's scope, because azurerm replaces an
 * assignment whose role id lacks the subscription prefix on every apply.
 */
export const KNOWN_ROLES: Readonly<Record<BuiltInRoleName, KnownRole>> = Object.freeze({
  // `*`, no not-actions.
  Owner: {
    guid: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
    readMappings: true,
    writeMappings: true,
    readProtectedItems: true,
    listAtVaultLevel: true,
    privileged: true,
  },
  // `*` minus `Microsoft.Authorization/*/Write` and `*/Delete` (and a few others, none Site Recovery's).
  Contributor: {
    guid: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
    readMappings: true,
    writeMappings: true,
    readProtectedItems: true,
    listAtVaultLevel: true,
    privileged: false,
  },
  // `*/read`, `Microsoft.Authorization/*`, `Microsoft.Support/*`.
  'User Access Administrator': {
    guid: '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
    readMappings: true,
    writeMappings: false,
    readProtectedItems: true,
    listAtVaultLevel: true,
    privileged: true,
  },
  // `roleAssignments/write`, `roleAssignments/delete`, `*/read`, `Microsoft.Support/*`.
  'Role Based Access Control Administrator': {
    guid: 'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
    readMappings: true,
    writeMappings: false,
    readProtectedItems: true,
    listAtVaultLevel: true,
    privileged: true,
  },
  // `*/read`.
  Reader: {
    guid: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
    readMappings: true,
    writeMappings: false,
    readProtectedItems: true,
    listAtVaultLevel: true,
    privileged: false,
  },
  // `vaults/replicationFabrics/*`, `replicationJobs/*`, `vaults/replicationOperationStatus/read`, ...:
  // no vault-level mapping or protected-item read.
  'Site Recovery Contributor': {
    guid: '6670b86e-a3f7-4917-ac9b-5d6ab1be4567',
    readMappings: true,
    writeMappings: true,
    readProtectedItems: true,
    listAtVaultLevel: false,
    privileged: false,
  },
  // Nested mapping and protected-item reads, failover and `updateMobilityService` actions: no mapping write.
  'Site Recovery Operator': {
    guid: '494ae006-db33-4328-bf46-533a6560a3ca',
    readMappings: true,
    writeMappings: false,
    readProtectedItems: true,
    listAtVaultLevel: false,
    privileged: false,
  },
  // Nested reads only.
  'Site Recovery Reader': {
    guid: 'dbaa88c4-0c30-4179-9fb3-46319faa6149',
    readMappings: true,
    writeMappings: false,
    readProtectedItems: true,
    listAtVaultLevel: false,
    privileged: false,
  },
  // `Vaults/backup*` and vault reads: nothing `replication*`.
  'Backup Contributor': {
    guid: '5e467623-bb1f-42f4-a55d-6e525e11384b',
    readMappings: false,
    writeMappings: false,
    readProtectedItems: false,
    listAtVaultLevel: false,
    privileged: false,
  },
});

/** The name of a built-in role this library knows. */
export type BuiltInRoleName =
  | 'Owner'
  | 'Contributor'
  | 'User Access Administrator'
  | 'Role Based Access Control Administrator'
  | 'Reader'
  | 'Site Recovery Contributor'
  | 'Site Recovery Operator'
  | 'Site Recovery Reader'
  | 'Backup Contributor';

/** Each known built-in role's GUID, by name (from {@link KNOWN_ROLES}). */
export const BUILT_IN_ROLES: Readonly<Record<BuiltInRoleName, string>> = Object.freeze(
  Object.fromEntries(Object.entries(KNOWN_ROLES).map(([name, role]) => [name, role.guid])) as Record<
    BuiltInRoleName,
    string
  >,
);

/** The known role with this GUID (compared in lower case), with its name; undefined for any other role. */
export function knownRoleByGuid(guid: string): (KnownRole & { readonly name: BuiltInRoleName }) | undefined {
  const lower = guid.toLowerCase();
  const entry = (Object.entries(KNOWN_ROLES) as [BuiltInRoleName, KnownRole][]).find(
    ([, role]) => role.guid === lower,
  );
  return entry ? { ...entry[1], name: entry[0] } : undefined;
}

/** Roles that can grant access to others: never needed by the runbook, reported as a warning. */
export const PRIVILEGED_ROLE_IDS: readonly string[] = Object.values(KNOWN_ROLES)
  .filter((r) => r.privileged)
  .map((r) => r.guid);

/**
 * The role given to the automation identity on a vault when none is asked for (DESIGN.md section
 * 2): Microsoft documents Contributor on the vault for the account's identity, which Site
 * Recovery's own agent update uses too. A discovery scope gets the library's custom role instead
 * ({@link RUNBOOK_ROLE_ACTIONS}).
 */
export const DEFAULT_ROLE: BuiltInRoleName = 'Contributor';

/**
 * The actions of the custom role the library declares for a discovery scope: exactly what the
 * runbook's requests need, one documented Microsoft.RecoveryServices operation each (docs/security.md,
 * "The custom role at a discovery scope", says which request needs which, with the sources). No
 * wildcard: `…/replicationProtectionContainerMappings/*` would also grant delete and remove.
 */
export const RUNBOOK_ROLE_ACTIONS: readonly string[] = Object.freeze([
  // Resource Graph returns only the vaults the caller can read (fleet discovery).
  'Microsoft.RecoveryServices/vaults/read',
  // GET {vault}/replicationProtectionContainerMappings (the vault-level list, and its nextLink pages).
  'Microsoft.RecoveryServices/vaults/replicationProtectionContainerMappings/read',
  // GET of one mapping (the check after a change).
  'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectionContainerMappings/read',
  // PATCH of one mapping (the change itself).
  'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectionContainerMappings/write',
  // GET of the Azure-AsyncOperation URL ({vault}/replicationOperationStatus/{job}).
  'Microsoft.RecoveryServices/vaults/replicationOperationStatus/read',
  // GET of the Location URL ({mapping}/operationresults/{job}) when no Azure-AsyncOperation is sent.
  'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectionContainerMappings/operationresults/read',
  // GET {vault}/replicationProtectedItems (the agent report, and its nextLink pages).
  'Microsoft.RecoveryServices/vaults/replicationProtectedItems/read',
]);

/** The role definition GUID for a built-in name or a GUID; undefined for anything else. */
export function roleDefinitionGuid(role: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(KNOWN_ROLES, role))
    return KNOWN_ROLES[role as BuiltInRoleName].guid;
  return /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(role)
    ? role.toLowerCase()
    : undefined;
}
