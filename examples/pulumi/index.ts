import * as pulumi from '@pulumi/pulumi';
import { A2AMobilityAutoUpdate } from 'asr-mobility-autoupdate/pulumi';

/** One DR pairing per application landing zone, with the team's naming and tags. */
const pairings = [
  { app: 'payments', sourceRegion: 'westeurope', targetRegion: 'northeurope' },
  { app: 'crm', sourceRegion: 'eastus', targetRegion: 'westus3' },
];

export const vaultIds: Record<string, pulumi.Output<string>> = {};
for (const p of pairings) {
  const dr = new A2AMobilityAutoUpdate(p.app, {
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
  vaultIds[p.app] = dr.vault.vaultId;
}
