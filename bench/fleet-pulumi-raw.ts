import { readFileSync } from 'node:fs';
import * as pulumi from '@pulumi/pulumi';
import { RunbookContent, type RunbookContentArgs } from '../constructs/pulumi/runbook-content';
import { inStack, setFleetMocks, settle } from './fleet-mocks';
import { encode, SECRET, STRING_ASSET, type FleetRecording } from './fleet-pulumi-record';

type AzureNativeResource = pulumi.CustomResource & {
  readonly id: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
};
type AzureNativeClass = new (name: string, args: Record<string, unknown>) => AzureNativeResource;

/** `azure-native:automation:Runbook` -> the `Runbook` class of `@pulumi/azure-native/automation` (a deep import). */
async function classOf(type: string): Promise<AzureNativeClass> {
  // The runbook's content is published by a dynamic resource, which a hand-written program declares as such.
  if (type === 'pulumi-nodejs:dynamic/asr-mobility-autoupdate:RunbookContent')
    return class extends RunbookContent {
      constructor(name: string, args: Record<string, unknown>) {
        super(name, args as unknown as RunbookContentArgs);
      }
    } as unknown as AzureNativeClass;
  const [pkg, mod, cls] = type.split(':');
  if (pkg !== 'azure-native' || !mod || !cls) throw new Error(`not an azure-native resource type: ${type}`);
  const exports = (await import(`@pulumi/azure-native/${mod}`)) as Record<string, unknown>;
  const ctor = exports[cls];
  if (typeof ctor !== 'function') throw new Error(`@pulumi/azure-native/${mod} has no ${cls}`);
  return ctor as AzureNativeClass;
}

/**
 * The raw baseline: the resources our components register for N vaults (recorded by
 * fleet-pulumi-record.ts, same mocks, same inputs), declared as plain azure-native resources with
 * no component around them, wired the way a hand-written program would wire them: an input equal
 * to an earlier resource's id or name is that resource's `id` or `name` output, secrets stay secret,
 * the runbook's content stays an asset, and the provider calls are made again.
 *
 * `node scripts/ts-run.js bench/fleet-pulumi-raw.ts <recording.json> [--check]`: with `--check`
 * (a test, never the timed runs) it also records what it registers and fails unless that equals the
 * recording: same resources, same inputs, same calls.
 */
export async function main(argv: string[]): Promise<void> {
  const recording = JSON.parse(readFileSync(argv[0]!, 'utf8')) as FleetRecording;
  const classes = new Map<string, AzureNativeClass>();
  for (const type of new Set(recording.resources.map((r) => r.type))) classes.set(type, await classOf(type));

  const check = argv.includes('--check');
  const seen: Promise<string>[] = [];
  const count = await setFleetMocks(
    check
      ? {
          resource: (r) => seen.push(encode(r.inputs).then((i) => JSON.stringify([r.type, r.name, i]))),
          call: (c) => seen.push(encode(c.args).then((a) => JSON.stringify([c.token, a]))),
        }
      : undefined,
  );
  const byId = new Map<string, AzureNativeResource>();
  const byName = new Map<string, AzureNativeResource>();
  const input = (value: unknown): unknown => {
    if (typeof value === 'string') return byId.get(value)?.id ?? byName.get(value)?.name ?? value;
    if (Array.isArray(value)) return value.map(input);
    if (value !== null && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      if (SECRET in o) return pulumi.secret(input(o[SECRET]));
      if (STRING_ASSET in o) return new pulumi.asset.StringAsset(String(o[STRING_ASSET]));
      return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, input(v)]));
    }
    return value;
  };
  await inStack(() => {
    for (const r of recording.resources) {
      const resource = new (classes.get(r.type)!)(r.name, input(r.inputs) as Record<string, unknown>);
      byId.set(r.id, resource);
      if (!byName.has(r.name)) byName.set(r.name, resource);
    }
    for (const c of recording.calls) void pulumi.runtime.invoke(c.token, input(c.args) as pulumi.Inputs);
  });
  const registered = await settle(count);
  if (registered < recording.resources.length)
    throw new Error(`only ${registered} of ${recording.resources.length} resources registered`);
  if (check) {
    const want = [
      ...recording.resources.map((r) => JSON.stringify([r.type, r.name, r.inputs])),
      ...recording.calls.map((c) => JSON.stringify([c.token, c.args])),
    ].sort();
    const got = (await Promise.all(seen)).sort();
    const missing = want.filter((w) => !got.includes(w));
    const extra = got.filter((g) => !want.includes(g));
    if (missing.length || extra.length)
      throw new Error(
        `the raw baseline differs from the recording:\n  missing ${missing.join('\n  missing ')}\n  extra ${extra.join('\n  extra ')}`,
      );
    console.log(`raw baseline matches the recording: ${want.length} registrations and calls`);
  }
}
