import type { A2AScenarioProps } from '../constructs/domain';

const PAIRS: readonly [string, string][] = [
  ['westeurope', 'northeurope'],
  ['eastus', 'westus3'],
  ['japaneast', 'japanwest'],
  ['australiaeast', 'australiasoutheast'],
];
const NOW = new Date('2026-11-22T10:00:00Z');

/** Vault number `i` of a benchmark fleet: each with its automation and A2A replication both ways. */
export function fleetVault(i: number): A2AScenarioProps {
  const [source, target] = PAIRS[i % PAIRS.length]!;
  return {
    vault: {
      name: `rsv-fleet-${i}`,
      resourceGroupName: `rg-fleet-${i}`,
      location: target,
      tags: { fleet: 'bench' },
    },
    replication: { sourceRegion: source, targetRegion: target },
    automation: { clock: () => NOW },
  };
}
