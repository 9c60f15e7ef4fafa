import * as pulumi from '@pulumi/pulumi';
import { A2AMobilityAutoUpdate, previewOffline } from '../../constructs/pulumi';

/**
 * `node scripts/ts-run.js test/pulumi/preview-refused.ts`: previews a program whose resource group
 * name, known only at deploy time, breaks the naming rule, as a consumer's script would (outside
 * Jest, which takes unhandled rejections for itself). Prints `rejected: <message>` or `resolved`.
 */
export async function main(): Promise<void> {
  await previewOffline(() => {
    new A2AMobilityAutoUpdate('payments', {
      vault: {
        name: 'rsv-payments-dr',
        resourceGroupName: pulumi.output('rg payments?'),
        location: 'northeurope',
      },
      replication: { sourceRegion: 'westeurope', targetRegion: 'northeurope' },
    });
  }).then(
    () => console.log('resolved'),
    (e: unknown) => console.log(`rejected: ${e instanceof Error ? e.message : String(e)}`),
  );
}
