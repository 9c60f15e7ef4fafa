import type { PolicyRule } from './types';

/**
 * Site Recovery cannot upgrade VMware (modernized) Mobility agents automatically when the vault
 * is reached through private endpoints (seed 000). Asking for both is an error unless the user
 * explicitly accepts manual upgrades.
 */
export const privateEndpointAgentUpgrade: PolicyRule = {
  id: 'ASR-E01',
  level: 'error',
  description: 'VMware automatic agent upgrade is not available behind private endpoints',
  needs: ['vault', 'vmware'],
  check({ vault, vmware }) {
    if (
      !vault ||
      !vmware ||
      vault.publicNetworkAccessEnabled ||
      !vault.extensionUpdateSettings.autoUpdateEnabled
    )
      return [];
    if (vmware.acceptManualAgentUpgrades) return [];
    return [
      {
        fact: 'vault',
        prop: 'publicNetworkAccessEnabled',
        value: false,
        message:
          'Site Recovery does not upgrade VMware (modernized) Mobility agents automatically behind private endpoints ' +
          '(Microsoft Learn, "Upgrade Mobility Service and Appliance components (Modernized)": "When you enable private endpoints, automatic updates won\'t be available."). ' +
          'Keep public network access on, turn auto-update off (vault.extensionUpdateSettings.autoUpdateEnabled: false), or set replication.acceptManualAgentUpgrades: true and upgrade agents by hand',
      },
    ];
  },
};
