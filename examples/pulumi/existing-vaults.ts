import {
  AutoUpdateAutomation,
  ExistingVaultsMobilityAutoUpdate,
  RecoveryVault,
} from 'asr-mobility-autoupdate/pulumi';

// Vaults that Site Recovery created when replication was enabled (often in the portal), by id.
const vaultId = (resourceGroup: string, name: string): string =>
  `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${resourceGroup}` +
  `/providers/Microsoft.RecoveryServices/vaults/${name}`;

// A fleet: one automation account for every vault, a nightly job per time zone.
const fleet = new ExistingVaultsMobilityAutoUpdate('fleet', {
  vaults: [
    { vaultResourceId: vaultId('rg-payments-dr', 'rsv-payments-dr-westeurope'), sourceRegion: 'northeurope' },
    { vaultResourceId: vaultId('rg-crm-dr', 'rsv-crm-dr-westus3'), sourceRegion: 'eastus' },
  ],
  automation: {
    name: 'aa-platform-asr-updates',
    resourceGroupName: 'rg-platform-automation',
    location: 'westeurope',
    providers: ['A2A', 'InMageRcm'],
  },
});

// One vault, composed by hand: the component takes an existing vault like one it manages.
const vault = RecoveryVault.fromVaultId(vaultId('rg-hr-dr', 'rsv-hr-dr-uksouth'), { sourceRegion: 'ukwest' });
const single = new AutoUpdateAutomation('hr', { vault });

export const fleetAutomationAccountId = fleet.automationAccountId;
export const hrAutomationAccountId = single.automationAccountId;
