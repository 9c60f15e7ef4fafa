import type { PolicyRule } from './types';

/** The runbook only reads and patches the vault's mappings: anything wider than the vault was asked for, and is said out loud. */
export const roleScopeWidth: PolicyRule = {
  id: 'ASR-W01',
  level: 'warning',
  description: 'automation identity role scope wider than the vault',
  needs: ['automation'],
  check({ automation }) {
    if (!automation) return [];
    return automation.roleAssignments.flatMap((ra) =>
      ra.scope.kind === 'resource' && ra.scope.width !== 'resource'
        ? [
            {
              fact: 'automation' as const,
              prop: `additionalRoleScopes[${ra.scope.propIndex}]`,
              value: ra.scope.resourceId,
              message: `the automation identity gets its role on a whole ${ra.scope.width === 'subscription' ? 'subscription' : 'resource group'}; the runbook only needs the vault`,
            },
          ]
        : [],
    );
  },
};
