import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Flavour, Json, JsonObject } from './types';
import { generateRawProgram, type RawProgram } from './program';

/** Stage 4: synthesizing both programs and checking that every stack is the same JSON. */

/** Removes cdktf's `//` metadata keys (construct paths, stack metadata) at every depth. */
export function withoutMetadata(v: Json): Json {
  if (Array.isArray(v)) return v.map(withoutMetadata);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => k !== '//')
      .map(([k, x]) => [k, withoutMetadata(x)]),
  );
}

/** Every difference between two JSON values, one line each, with its path. */
export function jsonDifferences(ours: Json, raw: Json, path = ''): string[] {
  const show = (v: Json) => {
    const s = JSON.stringify(v);
    return s.length > 200 ? `${s.slice(0, 200)}... (${s.length} chars)` : s;
  };
  if (ours !== null && raw !== null && typeof ours === 'object' && typeof raw === 'object') {
    if (Array.isArray(ours) !== Array.isArray(raw)) return [`${path}: ours ${show(ours)}, raw ${show(raw)}`];
    if (Array.isArray(ours)) {
      const r = raw as Json[];
      const diffs = ours.flatMap((x, i) => (i < r.length ? jsonDifferences(x, r[i]!, `${path}[${i}]`) : []));
      if (ours.length !== r.length) diffs.push(`${path}: ours has ${ours.length} items, raw ${r.length}`);
      return diffs;
    }
    const o = ours as JsonObject;
    const r = raw as JsonObject;
    return [...new Set([...Object.keys(o), ...Object.keys(r)])].sort().flatMap((k) => {
      const p = path ? `${path}.${k}` : k;
      if (!(k in r)) return [`${p}: only in ours: ${show(o[k]!)}`];
      if (!(k in o)) return [`${p}: only in raw: ${show(r[k]!)}`];
      return jsonDifferences(o[k]!, r[k]!, p);
    });
  }
  return ours === raw ? [] : [`${path}: ours ${show(ours)}, raw ${show(raw)}`];
}

/** Compares two synthesized outdirs stack by stack, without cdktf's `//` metadata. Empty when equal. */
export function compareOutdirs(oursDir: string, rawDir: string): string[] {
  const stacks = (dir: string) =>
    (
      JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
        stacks: Record<string, { synthesizedStackPath: string }>;
      }
    ).stacks;
  const ours = stacks(oursDir);
  const raw = stacks(rawDir);
  const diffs: string[] = [];
  for (const name of new Set([...Object.keys(ours), ...Object.keys(raw)])) {
    if (!ours[name] || !raw[name]) {
      diffs.push(`stack ${name}: only in ${ours[name] ? 'ours' : 'raw'}`);
      continue;
    }
    const read = (dir: string, p: string) =>
      withoutMetadata(JSON.parse(readFileSync(join(dir, p), 'utf8')) as Json);
    diffs.push(
      ...jsonDifferences(
        read(oursDir, ours[name].synthesizedStackPath),
        read(rawDir, raw[name].synthesizedStackPath),
      ).map((d) => `stack ${name}: ${d}`),
    );
  }
  return diffs;
}

export interface SynthPaths {
  readonly root: string;
  readonly tsRun: string;
}

/** The environment both programs synthesize under (ours reads the `asr` context; the raw program ignores it). */
export function synthEnv(
  root: string,
  outdir: string,
  flavour: Flavour,
  context?: unknown,
): Record<string, string> {
  const ctx =
    context ?? (JSON.parse(readFileSync(join(root, 'cdktf.json'), 'utf8')) as { context: unknown }).context;
  return {
    CHECKPOINT_DISABLE: '1',
    ASR_NOW: '2026-11-22T10:00:00Z',
    CDKTF_CONTEXT_JSON: JSON.stringify(ctx),
    CDKTF_OUTDIR: outdir,
    ASR_TERRAFORM_FLAVOUR: flavour,
    // The raw program may live outside the repo (a test's temp dir): it still resolves cdktf from here.
    NODE_PATH: join(root, 'node_modules'),
  };
}

/** Runs `node <tsRun> <entry>` under `env` (cwd: root); throws with stderr on failure. */
export function synth(paths: SynthPaths, entry: string, env: Record<string, string>): void {
  rmSync(env.CDKTF_OUTDIR!, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [paths.tsRun, entry], {
    cwd: paths.root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`synth ${entry}: exit ${r.status}\n${r.stderr?.slice(-3000)}`);
}

export interface CheckedRawProgram extends RawProgram {
  readonly program: string;
  readonly oursOutdir: string;
  readonly rawOutdir: string;
}

/**
 * Synthesizes our app once (untimed), writes the raw program into `work`, synthesizes it and checks
 * that every stack equals ours. Throws, listing every difference, when they differ.
 */
export function buildCheckedRawProgram(
  paths: SynthPaths & { readonly work: string },
  flavour: Flavour,
  opts: { context?: unknown; name?: string } = {},
): CheckedRawProgram {
  const name = opts.name ?? `cdktf-raw-${flavour}`;
  mkdirSync(paths.work, { recursive: true });
  const oursOutdir = join(paths.work, `${name}-ours.out`);
  const rawOutdir = join(paths.work, `${name}.out`);
  const program = join(paths.work, `${name}.ts`);
  synth(
    paths,
    join(paths.root, 'stacks', 'cdktf', 'main.ts'),
    synthEnv(paths.root, oursOutdir, flavour, opts.context),
  );
  const generated = generateRawProgram(oursOutdir, { root: paths.root, flavour, cwd: paths.root });
  writeFileSync(program, generated.source);
  synth(paths, program, synthEnv(paths.root, rawOutdir, flavour, opts.context));
  const diffs = compareOutdirs(oursOutdir, rawOutdir);
  if (diffs.length)
    throw new Error(`the raw cdktf program (${program}) differs from ours:\n  ${diffs.join('\n  ')}`);
  return { ...generated, program, oursOutdir, rawOutdir };
}

/**
 * For bench/run.ts: prepares the raw cdktf baseline of one flavour (ours synthesized once untimed,
 * the program generated and checked) and returns what to measure: `node <args>` with `env`, cwd root.
 */
export function prepareCdktfRaw(
  paths: SynthPaths & { readonly work: string },
  flavour: Flavour,
  opts: { context?: unknown } = {},
): { label: string; args: string[]; env: Record<string, string>; program: CheckedRawProgram } {
  const program = buildCheckedRawProgram(paths, flavour, opts);
  return {
    label: `raw: same resources, provider classes (${flavour})`,
    args: [paths.tsRun, program.program],
    env: synthEnv(paths.root, join(paths.work, `out-cdktf-raw-${flavour}`), flavour, opts.context),
    program,
  };
}
