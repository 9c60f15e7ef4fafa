import { A2AMobilityAutoUpdate } from '../constructs/pulumi';
import { fleetVault } from './fleet';
import { inStack, setFleetMocks, settle } from './fleet-mocks';

/**
 * `node scripts/ts-run.js bench/fleet-pulumi.ts <vaults>`: N A2A vaults under Pulumi's mock runtime.
 * Only counts registrations (no graph is kept), so the figure is Pulumi plus our components.
 */
export async function main(argv: string[]): Promise<void> {
  const n = Number(argv[0]);
  const count = await setFleetMocks();
  await inStack(() => {
    for (let i = 0; i < n; i++) new A2AMobilityAutoUpdate(`v${i}`, fleetVault(i));
  });
  const registered = await settle(count);
  if (registered < n * 19) throw new Error(`only ${registered} registrations for ${n} vaults`);
}
