import type { PolicyRule } from './types';

/**
 * An excluded vault that no discovery scope can find: its subscription is not one of
 * `discovery.subscriptionIds` and no management group is searched. The exclusion does nothing,
 * which usually means a wrong id (or a scope that was meant to be there). With a management group,
 * the subscriptions under it are not known at synthesis, so the rule stays silent.
 */
export const exclusionOutsideScope: PolicyRule = {
  id: 'ASR-W08',
  level: 'warning',
  description: 'discovery exclusion outside every discovery scope',
  needs: ['discovery'],
  check({ discovery }) {
    if (!discovery || discovery.managementGroupId !== undefined) return [];
    return discovery.excludeVaultResourceIds.flatMap((id, i) => {
      const sub = (id.split('/')[2] ?? '').toLowerCase();
      return discovery.subscriptionIds.includes(sub)
        ? []
        : [
            {
              fact: 'discovery' as const,
              prop: `excludeVaultResourceIds[${i}]`,
              value: id,
              message: `the vault is in subscription ${sub}, which discovery does not search (discovery.subscriptionIds, no management group): the exclusion changes nothing; check the id or the scopes`,
            },
          ];
    });
  },
};
