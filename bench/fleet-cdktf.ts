import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { A2AMobilityAutoUpdate } from '../constructs/cdktf';
import { fleetVault } from './fleet';

/** `node scripts/ts-run.js bench/fleet-cdktf.ts <vaults>`: one stack with N A2A vaults, synthesized. */
export function main(argv: string[]): void {
  const n = Number(argv[0]);
  const app = new App();
  const stack = new TerraformStack(app, 'fleet');
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  for (let i = 0; i < n; i++) new A2AMobilityAutoUpdate(stack, `v${i}`, fleetVault(i));
  app.synth();
}
