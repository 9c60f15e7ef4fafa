import type { PolicyRule } from './types';

/** The runbook only reads and patches the vault's mappings: anything wider than the vault was asked for, and is said out loud. */
export const roleScopeWidth: PolicyRule = {
  id: 'ASR-W01',
  level: 'warning',
  description: 'automation identity role scope wider than the vault',
  needs: ['automation'],
  check({ automation }) {
    if (!automation) return [];
    return automation.roleAssignments.flatMap((ra) => {
      if (ra.scope.kind === 'discovery')
        // The price of discovery: the role on every vault the scope holds, and on all else there.
        return [
          {
            fact: 'automation' as const,
            prop: ra.scope.prop,
            value: ra.scope.resourceId,
            message: `the automation identity gets its role on a whole ${ra.scope.width === 'subscription' ? 'subscription' : 'management group'} so that the runbook finds and reconciles the vaults in it (discovery); the runbook only needs those vaults`,
          },
        ];
      return ra.scope.kind === 'resource' && ra.scope.width !== 'resource'
        ? [
            {
              fact: 'automation' as const,
              prop: `additionalRoleScopes[${ra.scope.propIndex}]`,
              value: ra.scope.resourceId,
              message: `the automation identity gets its role on a whole ${ra.scope.width === 'subscription' ? 'subscription' : 'resource group'}; the runbook only needs the vault`,
            },
          ]
        : [];
    });
  },
};
