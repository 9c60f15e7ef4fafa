import { LogAnalyticsWorkspace } from '@cdktn/provider-azurerm/lib/log-analytics-workspace';
import { AzurermProvider } from '@cdktn/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktn/provider-azurerm/lib/resource-group';
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
      // The team's own resource group and workspace, in the same program: pass their references.
      const rg = new ResourceGroup(this, `${p.app}-rg`, {
        name: `rg-${p.app}-dr`,
        location: p.targetRegion,
      });
      const law = new LogAnalyticsWorkspace(this, `${p.app}-law`, {
        name: `law-${p.app}-dr`,
        resourceGroupName: rg.name,
        location: rg.location,
        retentionInDays: 30,
      });
      new A2AMobilityAutoUpdate(this, p.app, {
        vault: {
          name: `rsv-${p.app}-dr-${p.targetRegion}`,
          resourceGroupName: rg.name,
          location: p.targetRegion, // a region is a literal: it picks names and time zones
          tags: { app: p.app, costCenter: 'cc-1234' },
          lock: { kind: 'CanNotDelete' },
          diagnosticSettings: [{ workspaceResourceId: law.id }],
        },
        replication: { sourceRegion: p.sourceRegion, targetRegion: p.targetRegion },
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
