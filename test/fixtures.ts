import type { A2AScenarioProps, Clock, VmwareScenarioProps } from '../constructs/domain/internal';
import { ValidationError } from '../constructs/domain/internal';

/** A fixed "now": 2026-11-22 10:00 UTC. */
export const NOW = '2026-11-22T10:00:00Z';
export const fixedClock: Clock = () => new Date(NOW);

export const SUB = '00000000-0000-0000-0000-000000000001';
export const vnet = (rg: string, name: string): string =>
  `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/${name}`;

export function a2aProps(overrides: Partial<A2AScenarioProps> = {}): A2AScenarioProps {
  return {
    vault: {
      name: 'rsv-dr-weu',
      resourceGroupName: 'rg-dr-weu',
      location: 'westeurope',
      tags: { env: 'test' },
    },
    replication: { sourceRegion: 'northeurope', targetRegion: 'westeurope' },
    automation: { clock: fixedClock },
    ...overrides,
  };
}

export function vmwareProps(overrides: Partial<VmwareScenarioProps> = {}): VmwareScenarioProps {
  return {
    vault: { name: 'rsv-vmware-weu', resourceGroupName: 'rg-vmware-weu', location: 'westeurope' },
    automation: { clock: fixedClock },
    ...overrides,
  };
}

/** Runs `fn`, expects a ValidationError, and returns its violations. */
export function violationsOf(fn: () => unknown): ValidationError['violations'] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.violations;
    throw e;
  }
  throw new Error('expected a ValidationError, but nothing was thrown');
}
