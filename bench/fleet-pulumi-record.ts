import { writeFileSync } from 'node:fs';
import * as pulumi from '@pulumi/pulumi';
import { A2AMobilityAutoUpdate } from '../constructs/pulumi';
import { fleetVault } from './fleet';
import { inStack, setFleetMocks, settle, type Invocation, type Registration } from './fleet-mocks';

/**
 * What our components register for a fleet, as data: every custom resource (type token, logical
 * name, the inputs the engine received) and every provider call, in registration order. The raw
 * baseline (fleet-pulumi-raw.ts) declares exactly these resources without our components.
 */
export interface FleetRecording {
  readonly vaults: number;
  readonly resources: readonly Registration[];
  readonly calls: readonly Invocation[];
}

/** JSON tags for the two kinds of input value JSON cannot carry. */
export const SECRET = '$secret';
export const STRING_ASSET = '$stringAsset';

const SIG_KEY = '4dabf18193072939515e22adb298388d';
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

/** Turns a deserialized input (secrets and assets included) into JSON-safe data. */
export async function encode(value: unknown): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map(encode));
  if (pulumi.asset.StringAsset.isInstance(value)) {
    const text = await (value as pulumi.asset.StringAsset).text;
    return { [STRING_ASSET]: text };
  }
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o[SIG_KEY] === SECRET_SIG) return { [SECRET]: await encode(o.value) };
    if (SIG_KEY in o) throw new Error(`cannot record a special value: ${JSON.stringify(o)}`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = await encode(v);
    return out;
  }
  return value;
}

/** Records the registrations of `vaults` fleet vaults built with our components, under the fleet mocks. */
export async function recordFleet(vaults: number): Promise<FleetRecording> {
  const resources: Promise<Registration>[] = [];
  const calls: Promise<Invocation>[] = [];
  const count = await setFleetMocks({
    resource: (r) =>
      resources.push(
        encode(r.inputs).then((inputs) => ({ ...r, inputs: inputs as Record<string, unknown> })),
      ),
    call: (c) => calls.push(encode(c.args).then((args) => ({ ...c, args: args as Record<string, unknown> }))),
  });
  await inStack(() => {
    for (let i = 0; i < vaults; i++) new A2AMobilityAutoUpdate(`v${i}`, fleetVault(i));
  });
  await settle(count);
  return { vaults, resources: await Promise.all(resources), calls: await Promise.all(calls) };
}

/** `node scripts/ts-run.js bench/fleet-pulumi-record.ts <vaults> <out.json>` (not timed by the bench). */
export async function main(argv: string[]): Promise<void> {
  const recording = await recordFleet(Number(argv[0]));
  writeFileSync(argv[1]!, JSON.stringify(recording));
}
