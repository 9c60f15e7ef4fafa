import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App, TerraformStack } from 'cdktf';
import {
  AutoUpdateAutomation,
  ExistingVaultsMobilityAutoUpdate,
  RecoveryVault,
} from 'asr-mobility-autoupdate/cdktf';

// Vaults that Site Recovery created when replication was enabled (often in the portal), by id.
const vaultId = (resourceGroup: string, name: string): string =>
  `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${resourceGroup}` +
  `/providers/Microsoft.RecoveryServices/vaults/${name}`;

const app = new App();

// A fleet: one automation account for every vault, a nightly job per time zone.
const fleet = new TerraformStack(app, 'existing-vaults');
new AzurermProvider(fleet, 'azurerm', { features: [{}] });
new ExistingVaultsMobilityAutoUpdate(fleet, 'Fleet', {
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

// One vault, composed by hand: the building block takes an existing vault like one it manages.
const single = new TerraformStack(app, 'existing-vault');
new AzurermProvider(single, 'azurerm', { features: [{}] });
const vault = RecoveryVault.fromVaultId(single, 'Vault', vaultId('rg-hr-dr', 'rsv-hr-dr-uksouth'), {
  sourceRegion: 'ukwest',
});
new AutoUpdateAutomation(single, 'Automation', { vault });

app.synth();
