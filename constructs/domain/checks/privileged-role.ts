import { PRIVILEGED_ROLE_IDS } from '../roles';
import type { PolicyRule } from './types';

/** Owner can grant access to others (the other privileged roles are refused: they cannot patch mappings); the runbook never needs that. */
export const privilegedRole: PolicyRule = {
  id: 'ASR-W02',
  level: 'warning',
  description: 'automation identity holds a role that can grant access',
  needs: ['automation'],
  check({ automation }) {
    const role = automation?.roleAssignments[0]?.roleDefinitionGuid;
    if (!role || !PRIVILEGED_ROLE_IDS.includes(role)) return [];
    return [
      {
        fact: 'automation',
        prop: 'roleDefinition',
        value: role,
        message:
          'the automation identity can grant access to others; Contributor (the default on a vault) or the custom role the library declares at a discovery scope (roleDefinition unset) is enough for the runbook',
      },
    ];
  },
};
