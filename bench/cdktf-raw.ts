import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compareOutdirs, synth, synthEnv } from './cdktf-raw/check';
import { generateRawProgram } from './cdktf-raw/program';
import type { Flavour } from './cdktf-raw/types';

/**
 * Part of `npm run bench`: the raw cdktf baseline. The Terraform resources our app synthesizes,
 * with the same inputs, declared by hand with the provider binding's classes (deep imports), no
 * domain model, no validation, no constructs of ours, and synthesized by cdktf the same way. It
 * tells cdktf's own resource construction and synthesis (which no library on cdktf avoids) apart
 * from ours.
 *
 * The program is generated from our synthesized output (each stack's cdk.tf.json), the way a person
 * would write it: `new App()`, one `TerraformStack` per stack, the provider, the backend, each
 * resource from its class with camelCase props (map attributes keep their keys), references as
 * attribute references of the declared objects, `Fn` calls for Terraform functions, the same
 * lifecycle and dependencies, and a `TerraformResource` with overrides for what the bindings lack.
 * Which props are blocks, maps or plain values comes from the binding's own generated code (its
 * `synthesizeAttributes` and `...ToTerraform` functions), not from a hand table.
 *
 * `node scripts/ts-run.js bench/cdktf-raw.ts <ours-outdir> <program.ts> [--check <raw-outdir>]`
 * writes the program; with `--check` it also synthesizes it and fails unless every stack's
 * cdk.tf.json equals ours once cdktf's `//` metadata is removed.
 *
 * The stages, one file each under bench/cdktf-raw/: the bindings read statically (bindings.ts), the
 * Terraform expressions parsed (expressions.ts), the program generated (program.ts), and both
 * programs synthesized and compared (check.ts).
 */

export type { Flavour } from './cdktf-raw/types';
export { generateRawProgram, type RawProgram } from './cdktf-raw/program';
export {
  buildCheckedRawProgram,
  compareOutdirs,
  jsonDifferences,
  prepareCdktfRaw,
  synth,
  synthEnv,
  withoutMetadata,
  type CheckedRawProgram,
  type SynthPaths,
} from './cdktf-raw/check';

export function main(argv: string[]): void {
  const [oursOutdir, programFile] = argv;
  if (!oursOutdir || !programFile || !existsSync(join(oursOutdir, 'manifest.json'))) {
    console.error(
      'usage: node scripts/ts-run.js bench/cdktf-raw.ts <ours-outdir> <program.ts> [--check <raw-outdir>]',
    );
    process.exit(2);
  }
  const root = join(__dirname, '..');
  const flavour = (process.env.ASR_TERRAFORM_FLAVOUR ?? 'cdktf') as Flavour;
  const generated = generateRawProgram(resolve(oursOutdir), { root, flavour, cwd: process.cwd() });
  writeFileSync(programFile, generated.source);
  console.log(
    `wrote ${programFile}: ${generated.stacks.length} stacks, ${generated.resources} resources` +
      (generated.escapeHatches.length
        ? `; TerraformResource for ${generated.escapeHatches.join(', ')}`
        : '') +
      (generated.overriddenArguments.length
        ? `; addOverride for ${generated.overriddenArguments.join(', ')}`
        : ''),
  );
  const check = argv.indexOf('--check');
  if (check >= 0) {
    const rawOutdir = resolve(argv[check + 1] ?? `${programFile}.out`);
    synth(
      { root, tsRun: join(root, 'scripts', 'ts-run.js') },
      resolve(programFile),
      synthEnv(root, rawOutdir, flavour),
    );
    const diffs = compareOutdirs(resolve(oursOutdir), rawOutdir);
    if (diffs.length) throw new Error(`the raw cdktf program differs from ours:\n  ${diffs.join('\n  ')}`);
    console.log(`raw cdktf program matches ours: ${generated.stacks.join(', ')}`);
  }
}
