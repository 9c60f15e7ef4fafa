import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { load } from 'js-yaml';
import type { Clock } from '../../constructs/domain';
import {
  armType,
  physicalName,
  previewOffline,
  type OfflinePreview,
  type PreviewedResource,
} from '../../constructs/pulumi/testing';
import { clockFromEnvironment, program } from './program';

/** One registered resource, as Pulumi's mock runtime saw it (the public {@link PreviewedResource}). */
export type GraphNode = PreviewedResource;
export type { OfflinePreview };
export { armType, physicalName };

/**
 * Runs this repository's Pulumi program (stacks/pulumi/program.ts) offline with the given stack
 * config: the package's public offline preview (`previewOffline`, constructs/pulumi/testing.ts).
 */
export async function runOffline(
  config: Record<string, string>,
  opts: { project: string; stack: string; clock?: Clock },
): Promise<OfflinePreview> {
  const keys = Object.keys(config)
    .map((k) => k.replace(`${opts.project}:`, ''))
    .filter((k) => !k.includes(':'));
  return previewOffline(
    () => program({ get: (key) => new pulumi.Config(opts.project).get(key), keys: () => keys }, opts.clock),
    { ...opts, config, revealSecrets: true },
  );
}

/**
 * Runs any Pulumi program function under the mock runtime and returns what it registered. Run one at
 * a time. This repository's previews and tests show secret values (the runbook link's content hash).
 */
export async function runOfflineProgram(
  run: () => void,
  opts: { project: string; stack: string; config?: Record<string, string> },
): Promise<OfflinePreview> {
  return previewOffline(run, { ...opts, revealSecrets: true });
}

/** Reads a Pulumi.<stack>.yaml file into flat `key -> string` config, as the CLI would pass it. */
export function readStackFile(file: string): { stack: string; config: Record<string, string> } {
  const doc = (load(readFileSync(file, 'utf8')) ?? {}) as { config?: Record<string, unknown> };
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc.config ?? {}))
    config[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return { stack: basename(file).replace(/^Pulumi\.|\.ya?ml$/g, ''), config };
}

/** `node scripts/ts-run.js stacks/pulumi/offline.ts <Pulumi.stack.yaml> <out.json>` (used by `npm run synth`). */
export async function main(argv: string[]): Promise<void> {
  const [file, out] = argv;
  if (!file || !out) throw new Error('usage: offline.ts <Pulumi.<stack>.yaml> <out.json>');
  const project = String(
    (load(readFileSync(join(dirname(resolve(file)), 'Pulumi.yaml'), 'utf8')) as { name: string }).name,
  );
  const { stack, config } = readStackFile(file);
  const preview = await runOffline(config, { project, stack, clock: clockFromEnvironment() });
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, `${JSON.stringify(preview, null, 2)}\n`);
  console.log(
    `  ${stack.padEnd(8)} ${relative(process.cwd(), resolve(out))}  (${preview.resources.length} resources, offline preview)`,
  );
}
