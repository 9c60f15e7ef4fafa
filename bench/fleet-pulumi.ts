import * as pulumi from '@pulumi/pulumi';
import { A2AMobilityAutoUpdate } from '../constructs/pulumi';
import { fleetVault } from './fleet';

/**
 * `node scripts/ts-run.js bench/fleet-pulumi.ts <vaults>`: N A2A vaults under Pulumi's mock runtime.
 * Only counts registrations (no graph is kept), so the figure is Pulumi plus our components.
 */
export async function main(argv: string[]): Promise<void> {
  const n = Number(argv[0]);
  let registered = 0;
  await pulumi.runtime.setMocks(
    {
      newResource: (a) => {
        registered += 1;
        const state: Record<string, unknown> = { ...a.inputs, name: a.name };
        if (a.type === 'azure-native:automation:AutomationAccount')
          state.identity = { principalId: '11111111-1111-1111-1111-111111111111' };
        if (a.type === 'azure-native:storage:StorageAccount')
          state.primaryEndpoints = { blob: 'https://bench.blob.core.windows.net/' };
        return {
          id:
            a.custom === false
              ? undefined
              : `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/x/${a.name}`,
          state,
        };
      },
      call: () => ({ serviceSasToken: 'sv=bench&sig=bench' }),
    },
    'fleet',
    'bench',
    true,
  );
  for (let i = 0; i < n; i++) new A2AMobilityAutoUpdate(`v${i}`, fleetVault(i));
  // Registrations arrive asynchronously: wait (bounded, 10 minutes) until the count has been stable for 500 ms.
  let last = -1;
  for (let stable = 0, i = 0; stable < 5 && i < 6000; i++) {
    await new Promise((r) => setTimeout(r, 100));
    stable = registered === last ? stable + 1 : 0;
    last = registered;
  }
  if (registered < n * 19) throw new Error(`only ${registered} registrations for ${n} vaults`);
}
