import { AzurermProvider } from '@cdktn/provider-azurerm/lib/provider';
import { App, TerraformStack } from 'cdktn';
import type { Construct } from 'constructs';
import { A2AMobilityAutoUpdate } from 'asr-mobility-autoupdate/cdktn';

/** One DR pairing per application landing zone, with the team's naming and tags. */
interface Pairing {
  readonly app: string;
  readonly sourceRegion: string;
  readonly targetRegion: string;
}

export class DisasterRecoveryStack extends TerraformStack {
  constructor(scope: Construct, id: string, pairings: readonly Pairing[]) {
    super(scope, id);
    new AzurermProvider(this, 'azurerm', { features: [{}] });
    for (const p of pairings) {
      new A2AMobilityAutoUpdate(this, p.app, {
        vault: {
          name: `rsv-${p.app}-dr-${p.targetRegion}`,
          resourceGroupName: `rg-${p.app}-dr`,
          location: p.targetRegion,
          tags: { app: p.app, costCenter: 'cc-1234' },
          lock: { kind: 'CanNotDelete' },
        },
        replication: { sourceRegion: p.sourceRegion, targetRegion: p.targetRegion },
        automation: { roleDefinition: 'Site Recovery Contributor' },
      });
    }
  }
}

const app = new App();
new DisasterRecoveryStack(app, 'dr', [
  { app: 'payments', sourceRegion: 'westeurope', targetRegion: 'northeurope' },
  { app: 'crm', sourceRegion: 'eastus', targetRegion: 'westus3' },
]);
app.synth();
