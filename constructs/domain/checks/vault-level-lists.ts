import { knownRoleByGuid } from '../roles';
import type { PolicyRule } from './types';

/**
 * The runbook lists a vault's container mappings and protected items at the vault level
 * (`vaults/replicationProtectionContainerMappings/read`, `vaults/replicationProtectedItems/read`).
 * The Site Recovery built-in roles publish only the nested reads (Learn, built-in roles,
 * Management and governance), so by ARM's action matching the first request of each night would
 * get 403. Derived from the published action lists, not observed live: a warning, not a refusal.
 */
export const vaultLevelLists: PolicyRule = {
  id: 'ASR-W07',
  level: 'warning',
  description: 'automation identity role may not list mappings at the vault level',
  needs: ['automation'],
  check({ automation }) {
    const guid = automation?.roleAssignments.find((ra) => !ra.customRole)?.roleDefinitionGuid;
    const known = guid ? knownRoleByGuid(guid) : undefined;
    if (!known || known.listAtVaultLevel) return [];
    return [
      {
        fact: 'automation',
        prop: 'roleDefinition',
        value: known.name,
        message: `${known.name} lists no vault-level read (Microsoft.RecoveryServices/vaults/replicationProtectionContainerMappings/read, vaults/replicationProtectedItems/read) in its published actions, and the runbook's first request of each vault is that list: expect 403 unless the identity gets them from another role (derived from Learn's role definition, not observed live); Contributor or the library's custom role has them`,
      },
    ];
  },
};
