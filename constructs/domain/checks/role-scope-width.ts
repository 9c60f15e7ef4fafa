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
      if (ra.scope.kind === 'discovery') {
        const where = ra.scope.width === 'subscription' ? 'subscription' : 'management group';
        // The price of discovery: the role on every vault the scope holds (and, with a role the user
        // chose, on all else there).
        return [
          {
            fact: 'automation' as const,
            prop: ra.scope.prop,
            value: ra.scope.resourceId,
            message: ra.customRole
              ? `the automation identity gets the library's custom role on a whole ${where} so that the runbook finds and reconciles the vaults in it (discovery): only Site Recovery's vault read, container-mapping read and write, operation status and protected-item read, but on every Recovery Services vault in the ${where}, those the tag or exclusions leave out included`
              : `the automation identity gets its role (automation.roleDefinition) on a whole ${where} so that the runbook finds and reconciles the vaults in it (discovery): every action of that role on every resource there; the runbook only needs those vaults, and the library's custom role (roleDefinition unset) only their Site Recovery actions`,
          },
        ];
      }
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
