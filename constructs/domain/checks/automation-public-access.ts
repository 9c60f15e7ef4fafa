import type { PolicyRule } from './types';

/** Scheduled cloud jobs do not need the account reachable from the internet. */
export const automationPublicAccess: PolicyRule = {
  id: 'ASR-W03',
  level: 'warning',
  description: 'automation account reachable from public networks',
  needs: ['automation'],
  check({ automation }) {
    if (!automation?.publicNetworkAccessEnabled) return [];
    return [
      {
        fact: 'automation',
        prop: 'publicNetworkAccessEnabled',
        value: true,
        message:
          'the automation account accepts public network traffic; the scheduled runbook does not need it (only webhooks and hybrid workers outside a private endpoint do)',
      },
    ];
  },
};
