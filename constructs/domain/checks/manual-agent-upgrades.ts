import type { PolicyRule } from './types';

/** Reports the consequence of accepting manual upgrades, so nobody forgets the agents need hand work. */
export const manualAgentUpgrades: PolicyRule = {
  id: 'ASR-W04',
  level: 'warning',
  description: 'VMware agents must be upgraded by hand',
  needs: ['vault', 'vmware'],
  check({ vault, vmware }) {
    if (!vault || !vmware || vault.publicNetworkAccessEnabled || !vmware.acceptManualAgentUpgrades) return [];
    return [
      {
        fact: 'vmware',
        prop: 'acceptManualAgentUpgrades',
        value: true,
        message:
          'the vault uses private endpoints, so no auto-upgrade runbook is deployed: upgrade Mobility agents by hand at least every few releases (versions older than N-4 lose support)',
      },
    ];
  },
};
