import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transformSync } from '@swc/core';
import { previewOffline } from '../../constructs/pulumi/testing';
import type { CodeBlock } from './check-docs';

/**
 * The runner behind test/docs/programs.test.ts: every TypeScript program of the documentation is
 * run as a reader would paste it. A Terraform program (cdktf or cdktn) runs to its own
 * `app.synth()`, which is where cdktf validates the stacks, into a temporary output directory; a
 * Pulumi program runs under the package's public offline preview (`previewOffline`); an
 * engine-neutral program (the domain) runs as it is, and each `console.log(...); // <text>` line's
 * comment must be what it printed.
 */

/**
 * What a program is, by the engine it imports. `pulumi-preview` is a Pulumi program that previews
 * itself with `previewOffline` (docs/pulumi.md): it runs as it is, not inside another preview.
 */
export type ProgramKind = 'cdktf' | 'cdktn' | 'pulumi' | 'pulumi-preview' | 'domain';

const imports = (code: string): string[] =>
  [...code.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);

/** The kind of a block, from its imports: the first engine it imports, else the domain. */
export function programKind(block: CodeBlock): ProgramKind {
  const specifiers = imports(block.code);
  if (
    specifiers.some((s) => s === 'cdktn' || s.startsWith('@cdktn/') || s === 'asr-mobility-autoupdate/cdktn')
  )
    return 'cdktn';
  if (
    specifiers.some((s) => s === 'cdktf' || s.startsWith('@cdktf/') || s === 'asr-mobility-autoupdate/cdktf')
  )
    return 'cdktf';
  if (specifiers.some((s) => s.startsWith('@pulumi/') || s === 'asr-mobility-autoupdate/pulumi'))
    return /\bpreviewOffline\(/.test(block.code) ? 'pulumi-preview' : 'pulumi';
  return 'domain';
}

/** What one run gave: the stacks synthesized (name -> resource count) or resources previewed, and what was printed. */
export interface ProgramRun {
  readonly kind: ProgramKind;
  /** Terraform: each synthesized stack's resource count. Pulumi: the registered resources' count by `'resources'`. */
  readonly counts: Readonly<Record<string, number>>;
  /** Lines the program printed with `console.log`. */
  readonly printed: readonly string[];
}

/** Where a block's error points: `page:line`. */
const where = (block: CodeBlock): string => `${block.page}:${block.line}`;

/** Compiles a block to CommonJS (types stripped, as a consumer's build would) and returns a function running it. */
function compile(block: CodeBlock, load: (specifier: string) => unknown): () => unknown {
  const { code } = transformSync(`${block.code}\nexport {};\n`, {
    filename: `${block.page}_${block.line}.ts`,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: false,
  });
  const module = { exports: {} as Record<string, unknown> };
  const fn = new Function('exports', 'require', 'module', code) as (
    e: Record<string, unknown>,
    r: (s: string) => unknown,
    m: { exports: Record<string, unknown> },
  ) => void;
  // A program's exported promises (a self-check's result) are awaited: their failure is the program's.
  return () => {
    fn(module.exports, load, module);
    return Promise.all(Object.values(module.exports).filter((v) => v instanceof Promise));
  };
}

/**
 * Runs `run` with the console captured (`console.log` lines returned; warnings and errors kept out
 * of the test's output) and `env` set; fails when the program set a failing exit code.
 */
async function capturing(run: () => unknown, env: Readonly<Record<string, string>> = {}): Promise<string[]> {
  const printed: string[] = [];
  const saved = { log: console.log, warn: console.warn, error: console.error };
  const savedEnv = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const exitCode = process.exitCode;
  const errors: string[] = [];
  console.log = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
  console.warn = () => undefined;
  console.error = (...args: unknown[]) => void errors.push(args.map(String).join(' '));
  Object.assign(process.env, env);
  try {
    await run();
    if (process.exitCode !== exitCode)
      throw new Error(`the program set exit code ${process.exitCode}: ${errors.join('; ')}`);
  } finally {
    process.exitCode = exitCode;
    Object.assign(console, saved);
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return printed;
}

/**
 * Runs one documentation program. `load` is how its imports resolve (the test's `require`, so that
 * the package's entry points map to the sources as jest.config.js says). Throws, naming the page and
 * line, when the program throws, synthesizes nothing, or prints something other than its comments say.
 */
export async function runProgram(
  block: CodeBlock,
  load: (specifier: string) => unknown,
  env: Readonly<Record<string, string>> = {},
): Promise<ProgramRun> {
  const kind = programKind(block);
  const run = compile(block, load);
  try {
    if (kind === 'cdktf' || kind === 'cdktn') return await runTerraform(kind, run, env);
    if (kind === 'pulumi') {
      let printed: string[] = [];
      const preview = await previewOffline(async () => {
        printed = await capturing(run, env);
      });
      if (preview.resources.length === 0) throw new Error('the program registered no resource');
      return { kind, counts: { resources: preview.resources.length }, printed };
    }
    const printed = await capturing(run, env);
    checkPrinted(block, printed);
    return { kind, counts: {}, printed };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${where(block)} (${kind} program): ${message}`, { cause: error });
  }
}

/** Runs a cdktf or cdktn program to its `app.synth()` in a temporary output directory. */
async function runTerraform(
  kind: 'cdktf' | 'cdktn',
  run: () => unknown,
  env: Readonly<Record<string, string>>,
): Promise<ProgramRun> {
  const outdir = mkdtempSync(join(tmpdir(), 'asr-docs-'));
  const saved = process.env.CDKTF_OUTDIR;
  process.env.CDKTF_OUTDIR = outdir;
  try {
    const printed = await capturing(run, env);
    const stacksDir = join(outdir, 'stacks');
    const stacks = readdirSync(outdir).includes('stacks') ? readdirSync(stacksDir).sort() : [];
    if (stacks.length === 0) throw new Error('the program synthesized no stack (no app.synth()?)');
    const counts: Record<string, number> = {};
    for (const stack of stacks) {
      const doc = JSON.parse(readFileSync(join(stacksDir, stack, 'cdk.tf.json'), 'utf8')) as {
        resource?: Record<string, Record<string, unknown>>;
      };
      counts[stack] = Object.values(doc.resource ?? {}).reduce(
        (n, byName) => n + Object.keys(byName).length,
        0,
      );
      if (counts[stack] === 0) throw new Error(`stack ${stack} synthesized no resource`);
    }
    return { kind, counts, printed };
  } finally {
    if (saved === undefined) delete process.env.CDKTF_OUTDIR;
    else process.env.CDKTF_OUTDIR = saved;
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Each `console.log(...); // text` line of a domain program: its comment is what it printed, in order. */
function checkPrinted(block: CodeBlock, printed: readonly string[]): void {
  const expected = [...block.code.matchAll(/^\s*console\.log\(.*\);\s*\/\/\s*(.*)$/gm)].map((m) =>
    m[1]!.trim(),
  );
  if (expected.length === 0) return;
  const got = printed.slice(0, expected.length);
  if (JSON.stringify(got) !== JSON.stringify(expected))
    throw new Error(`printed ${JSON.stringify(got)}; its comments say ${JSON.stringify(expected)}`);
}
