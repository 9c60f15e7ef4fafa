import { parseVaultResourceId } from './naming';
import type { RuleSet } from './rules';

/** The ARM type of a Recovery Services vault, as a vault resource id names it (compared case-insensitively). */
export const RECOVERY_SERVICES_VAULT_TYPE = 'Microsoft.RecoveryServices/vaults';

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
