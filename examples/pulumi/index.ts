import { Workspace } from '@pulumi/azure-native/operationalinsights/workspace';
import { ResourceGroup } from '@pulumi/azure-native/resources/resourceGroup';
import * as pulumi from '@pulumi/pulumi';
import { A2AMobilityAutoUpdate } from 'asr-mobility-autoupdate/pulumi';

/** One DR pairing per application landing zone, with the team's naming and tags. */
const pairings = [
  { app: 'payments', sourceRegion: 'westeurope', targetRegion: 'northeurope' },
  { app: 'crm', sourceRegion: 'eastus', targetRegion: 'westus3' },
];

export const vaultIds: Record<string, pulumi.Output<string>> = {};
for (const p of pairings) {
  // The team's own resource group and workspace, in the same program: pass their outputs.
  const rg = new ResourceGroup(`${p.app}-rg`, {
    resourceGroupName: `rg-${p.app}-dr`,
    location: p.targetRegion,
  });
  const law = new Workspace(`${p.app}-law`, {
    workspaceName: `law-${p.app}-dr`,
    resourceGroupName: rg.name,
    location: rg.location,
    retentionInDays: 30,
  });
  const dr = new A2AMobilityAutoUpdate(p.app, {
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
  vaultIds[p.app] = dr.vault.vaultId;
}
