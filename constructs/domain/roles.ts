/**
 * Built-in Azure roles the automation identity may be given. The ids are the same in every
 * subscription; adapters scope them to the subscription of the assignment's scope, because
 * azurerm replaces an assignment whose role id lacks the subscription prefix on every apply.
 */
export const BUILT_IN_ROLES = Object.freeze({
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  'Site Recovery Contributor': '6670b86e-a3f7-4917-ac9b-5d6ab1be4567',
  'Site Recovery Operator': '494ae006-db33-4328-bf46-533a6560a3ca',
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  'User Access Administrator': '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
});

/** The name of a built-in role this library knows. */
export type BuiltInRoleName = keyof typeof BUILT_IN_ROLES;

/** Roles that can grant access to others: never needed by the runbook, reported as a warning. */
export const PRIVILEGED_ROLE_IDS: readonly string[] = [
  BUILT_IN_ROLES.Owner,
  BUILT_IN_ROLES['User Access Administrator'],
];

/** The role given to the automation identity when none is asked for (DESIGN.md section 2). */
export const DEFAULT_ROLE: BuiltInRoleName = 'Contributor';

/** The role definition GUID for a built-in name or a GUID; undefined for anything else. */
export function roleDefinitionGuid(role: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(BUILT_IN_ROLES, role))
    return BUILT_IN_ROLES[role as BuiltInRoleName];
  return /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(role)
    ? role.toLowerCase()
    : undefined;
}
