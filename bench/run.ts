import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { format } from 'prettier';
import { prepareCdktfRaw } from './cdktf-raw';
import { renderFleetChart } from './chart';
import {
  benchRunbook,
  benchRunbookFleet,
  renderRunbookFleetMarkdown,
  renderRunbookMarkdown,
  RUNBOOK_BENCH,
  RUNBOOK_FLEET_BENCH,
  type FleetBench,
  type RunbookBench,
  type RunbookBenchSetup,
  type RunbookFleetBenchSetup,
} from './runbook';
import {
  compareWithRaw,
  defaultHeapLimitMb,
  fleetAdvice,
  prepareRawFleet,
  rawSizes,
  renderRawSection,
} from './pulumi-raw';

/**
 * `npm run bench`: whole-process measurements on this machine (wall time from spawn to exit, peak
 * RSS reported by the process itself), several runs after a warm-up, median and spread. Writes
 * bench/results.json, bench/results.md and bench/fleet-scaling.svg. Not part of `npm test`.
 * `npm run bench -- runbook` runs only the runbook section (bench/runbook.ts) and keeps the other
 * sections of bench/results.json as they are.
 * `npm run bench -- --smoke` runs every section once at a tiny size (one vault, the runbook on a
 * handful of mappings and 1-2 vaults), writes nothing and reports nothing but success: the suite runs
 * it (test/bench/smoke.test.ts) so that no section can break unnoticed.
 */
const root = join(__dirname, '..');
const smoke = process.argv.includes('--smoke');
// The smoke works in a directory of its own (inside the checkout: the generated programs resolve
// packages from its node_modules), so that it never meets a real run's files.
const work = join(root, 'bench', smoke ? `.work-smoke-${process.pid}` : '.work');
const tsRun = join(root, 'scripts', 'ts-run.js');
const preload = join(root, 'bench', 'measure.cjs');
const NOW = '2026-11-22T10:00:00Z';
const quick = smoke || process.argv.includes('--quick');
/** `--only=cdktf` or `--only=cdktn`: measure only that synthesis, once, print it, and write nothing (a smoke run). */
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
type Flavour = 'cdktf' | 'cdktn';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { mapSpecifier } = require('../scripts/flavours.cjs') as {
  mapSpecifier: (specifier: string, flavour: Flavour) => string | undefined;
};
const runbookOnly = process.argv.includes('runbook');
/** `npm run bench -- runbook-fleet`: only the runbook fleet at estate scale; merged into bench/results.json. */
const runbookFleetOnly = process.argv.includes('runbook-fleet');

/** The runbook sections at the smoke's size: a few mappings, one and two vaults, short operations. */
// Each run starts pwsh (seconds): one run per kind of point.
const SMOKE_RUNBOOK: RunbookBenchSetup = {
  ...RUNBOOK_BENCH,
  mappings: 10,
  changes: 2,
  pageSize: 5,
  latencyMs: 0,
  maxConcurrency: [4],
};
const SMOKE_RUNBOOK_FLEET: RunbookFleetBenchSetup = {
  ...RUNBOOK_FLEET_BENCH,
  vaults: [2],
  latencyMs: 0,
  operationMs: 50,
  pollRetryAfterMs: 50,
  sequentialUpTo: 0,
  firstNightVaults: 2,
};

interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}
interface Measurement {
  readonly label: string;
  readonly runs: number;
  readonly warmups: number;
  readonly wallMs: Stats;
  readonly peakRssMb: Stats;
}

const stats = (xs: number[]): Stats => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2, min: s[0]!, max: s[s.length - 1]! };
};
const round = (x: number, d = 0): number => Number(x.toFixed(d));

/** What one measured process is: a label, node's arguments, and where and how to run it. */
interface RunSpec {
  readonly label: string;
  readonly args: string[];
  readonly opts?: { env?: NodeJS.ProcessEnv; cwd?: string; nodeFlags?: string[] };
}

/** One run of `node <args>`: wall time from spawn to exit, and the peak RSS the process reported. */
function runOnce({ label, args, opts = {} }: RunSpec): { ms: number; rssMb: number } {
  mkdirSync(work, { recursive: true });
  const rssFile = join(work, `rss-${process.pid}.jsonl`);
  rmSync(rssFile, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...(opts.nodeFlags ?? []), '-r', preload, ...args], {
    cwd: opts.cwd ?? root,
    env: { ...process.env, CHECKPOINT_DISABLE: '1', ASR_NOW: NOW, ...opts.env, BENCH_RSS_FILE: rssFile },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${label}: exit ${r.status}\n${r.stderr?.slice(-2000)}`);
  const rssKb = (JSON.parse(readFileSync(rssFile, 'utf8').trim().split('\n').pop()!) as { maxRssKb: number })
    .maxRssKb;
  return { ms, rssMb: rssKb / 1024 };
}

function summarize(
  label: string,
  runs: number,
  warmups: number,
  walls: number[],
  rss: number[],
): Measurement {
  const m = { label, runs, warmups, wallMs: mapStats(stats(walls), 0), peakRssMb: mapStats(stats(rss), 0) };
  console.log(
    `  ${label.padEnd(52)} wall ${m.wallMs.median} ms (${m.wallMs.min}-${m.wallMs.max})  rss ${m.peakRssMb.median} MB`,
  );
  return m;
}

/** Runs `node <args>` `warmups + runs` times and measures the last `runs`. */
function measure(
  label: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; runs?: number; warmups?: number; nodeFlags?: string[] } = {},
): Measurement {
  return measureTogether([{ label, args, opts }], opts)[0]!;
}

/**
 * Measures several processes round-robin (A, B, C, A, B, C, ...) after one warm-up round, so that a
 * drift in the machine's load falls on all of them alike and their ratios stay comparable.
 */
function measureTogether(
  specs: readonly RunSpec[],
  o: { runs?: number; warmups?: number } = {},
): Measurement[] {
  const runs = quick || only ? 1 : (o.runs ?? 5);
  const warmups = quick || only ? 0 : (o.warmups ?? 1);
  const walls = specs.map((): number[] => []);
  const rss = specs.map((): number[] => []);
  for (let i = 0; i < warmups + runs; i++)
    specs.forEach((spec, k) => {
      const r = runOnce(spec);
      if (i < warmups) return;
      walls[k]!.push(r.ms);
      rss[k]!.push(r.rssMb);
    });
  return specs.map((spec, k) => summarize(spec.label, runs, warmups, walls[k]!, rss[k]!));
}
const mapStats = (s: Stats, d: number): Stats => ({
  median: round(s.median, d),
  min: round(s.min, d),
  max: round(s.max, d),
});

// ------------------------------------------------------------------- inputs

/**
 * The app's context (cdktf.json's): all of it (stacks a2a, vmware and existing), or "both scenarios",
 * a2a and vmware, which is what issue 14's targets and the 2026-11-22 figures measure.
 */
function contextOf(cdktfJson: string, stacks: 'both' | 'all'): string {
  const context = (
    JSON.parse(readFileSync(cdktfJson, 'utf8')) as { context: { asr: Record<string, unknown> } }
  ).context;
  if (stacks === 'both') delete context.asr.existing;
  return JSON.stringify(context);
}
const cdktfEnv = (
  outdir: string,
  flavour: Flavour = 'cdktf',
  stacks: 'both' | 'all' = 'both',
  cdktfJson = join(root, 'cdktf.json'),
): NodeJS.ProcessEnv => ({
  CDKTF_CONTEXT_JSON: contextOf(cdktfJson, stacks),
  CDKTF_OUTDIR: outdir,
  ASR_TERRAFORM_FLAVOUR: flavour,
});

/**
 * Earlier versions of this app, measured in the same run as the current one (issue 14 asks for
 * before/after medians from the same run): the commit whose figures issue 14 quotes (2026-11-22),
 * and the start of the latest round. `--before=<ref>[,<ref>...]` measures others, `--before=none` none.
 * Each is extracted with `git archive` and runs on this checkout's node_modules, so only our code differs.
 */
const BEFORE_DEFAULT: readonly { ref: string; what: string }[] = [
  { ref: '1cc91f3', what: '2026-11-22, the figures issue 14 quotes' },
  { ref: '965ac18', what: 'start of the second round' },
];
function beforeRefs(): { ref: string; what: string }[] {
  const arg = smoke ? 'none' : process.argv.find((a) => a.startsWith('--before='))?.slice('--before='.length);
  if (arg === undefined) return [...BEFORE_DEFAULT];
  if (arg === 'none') return [];
  return arg.split(',').map((ref) => ({ ref, what: 'given with --before' }));
}
interface Before {
  readonly ref: string;
  readonly what: string;
  readonly dir: string;
  /** Whether that version has the cdktn flavour (scripts/flavours.cjs). */
  readonly flavours: readonly Flavour[];
}
function prepareBefores(): { befores: Before[]; skipped?: string } {
  const befores: Before[] = [];
  for (const { ref, what } of beforeRefs()) {
    const dir = join(work, `before-${ref}`);
    mkdirSync(dir, { recursive: true });
    const r = spawnSync('bash', ['-c', 'git archive --format=tar "$0" | tar -x -C "$1"', ref, dir], {
      cwd: root,
      encoding: 'utf8',
    });
    if (r.status !== 0)
      return { befores, skipped: `git archive ${ref} failed (no git history here?): ${r.stderr.trim()}` };
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const flavours: Flavour[] = existsSync(join(dir, 'scripts', 'flavours.cjs'))
      ? ['cdktf', 'cdktn']
      : ['cdktf'];
    befores.push({ ref, what, dir, flavours });
  }
  return { befores };
}

/** The provider modules the cdktf adapter and stacks import, read from the sources. */
function deepImports(): string[] {
  const files = ['constructs/cdktf', 'stacks/cdktf'].flatMap((d) =>
    readdirSync(join(root, d)).map((f) => join(root, d, f)),
  );
  const mods = new Set<string>();
  for (const f of files)
    for (const m of readFileSync(f, 'utf8').matchAll(/from '(@cdktf\/provider-azurerm\/lib\/[a-z0-9-]+)'/g))
      mods.add(m[1]!);
  return [...mods].sort();
}

/**
 * The baseline: the same app, with every provider class imported from the package root, as most
 * cdktf apps do. Generated (never committed) by rewriting the deep imports to the root namespaces.
 */
function writeBaseline(): string {
  const dir = join(work, 'baseline');
  rmSync(dir, { recursive: true, force: true });
  for (const d of ['constructs', 'stacks', 'scripts'])
    cpSync(join(root, d), join(dir, d), { recursive: true });
  const barrel = ['@cdktf', 'provider-azurerm'].join('/');
  const names = new Map<string, string>();
  const index = readFileSync(join(root, 'node_modules', barrel, 'lib', 'index.d.ts'), 'utf8');
  for (const m of index.matchAll(/export \* as (\w+) from '\.\/([a-z0-9-]+)'/g)) names.set(m[2]!, m[1]!);
  const rewrite = (file: string): void => {
    const src = readFileSync(file, 'utf8');
    const out = src.replace(
      /import \{([^}]+)\} from '@cdktf\/provider-azurerm\/lib\/([a-z0-9-]+)';/g,
      (_, what: string, mod: string) => {
        const ns = names.get(mod);
        if (!ns) throw new Error(`no root export for ${mod}`);
        return `import { ${ns} } from '${barrel}';\nconst {${what}} = ${ns};`;
      },
    );
    writeFileSync(file, out);
  };
  for (const d of ['constructs/cdktf', 'stacks/cdktf'])
    for (const f of readdirSync(join(dir, d))) rewrite(join(dir, d, f));
  return dir;
}

/** A consumer file type-checked with tsc: through our constructs, or the same file importing the provider root. */
function writeConsumer(kind: 'ours' | 'barrel'): string {
  const dir = join(work, `tsc-${kind}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let main = readFileSync(join(root, 'examples', 'cdktf', 'main.ts'), 'utf8').replace(
    "'asr-mobility-autoupdate/cdktf'",
    `'${join(root, 'constructs', 'cdktf')}'`,
  );
  if (kind === 'barrel') {
    main = main.replace(
      "import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';",
      `import { provider } from '${['@cdktf', 'provider-azurerm'].join('/')}';\nconst { AzurermProvider } = provider;`,
    );
  }
  writeFileSync(join(dir, 'main.ts'), main);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        // As tsconfig.json: TypeScript 7 has no node10 resolution and no baseUrl.
        module: 'node16',
        moduleResolution: 'node16',
        strict: true,
        skipLibCheck: true,
        noEmit: true,
        types: ['node'],
        typeRoots: [join(root, 'node_modules', '@types')],
      },
      files: ['main.ts'],
    }),
  );
  return dir;
}

// ------------------------------------------------------------------- runs

async function main(): Promise<void> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const results: Record<string, unknown> = {
    generatedAt: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGb: round(totalmem() / 2 ** 30, 1),
      node: process.version,
      platform: process.platform,
    },
    method:
      'Each figure is a whole process (spawn to exit), median of the runs after the warm-ups, with min-max. Peak RSS is the process maxRSS.',
  };

  const baselineDir = writeBaseline();
  const { befores, skipped: beforeSkipped } = prepareBefores();
  if (beforeSkipped) console.log(`  earlier versions not measured: ${beforeSkipped}`);
  /**
   * Both scenarios in one flavour: ours, the provider-root baseline, the floor and earlier versions
   * of ours, measured round-robin; and, for information, the app with all three stacks.
   */
  const terraformSynthesis = (flavour: Flavour) => {
    const floorScript = join(work, `floor-${flavour}.js`);
    const load = (m: string) => `require('${mapSpecifier(m, flavour) ?? m}');`;
    // No @swc/core: with its transform cache, ts-run loads it only after an edit.
    writeFileSync(floorScript, `${load('cdktf')}\n${deepImports().map(load).join('\n')}\n`);
    const app = (dir: string) => [join(dir, 'scripts', 'ts-run.js'), join(dir, 'stacks', 'cdktf', 'main.ts')];
    const earlier = befores.filter((b) => b.flavours.includes(flavour));
    // The same resources declared by hand with the provider classes, checked to synthesize the same JSON.
    const rawRun = prepareCdktfRaw({ root, work, tsRun }, flavour, {
      context: JSON.parse(contextOf(join(root, 'cdktf.json'), 'both')) as unknown,
    });
    const [ours, oursAll, baseline, floor, raw, ...before] = measureTogether(
      [
        {
          label: `ours: both scenarios (${flavour})`,
          args: app(root),
          opts: { env: cdktfEnv(join(work, `out-ours-${flavour}`), flavour) },
        },
        {
          label: `ours: all three stacks (${flavour})`,
          args: app(root),
          opts: { env: cdktfEnv(join(work, `out-all-${flavour}`), flavour, 'all') },
        },
        {
          label: `baseline: same app, provider root import (${flavour})`,
          args: app(baselineDir),
          opts: { env: cdktfEnv(join(work, `out-baseline-${flavour}`), flavour) },
        },
        { label: `floor: node + ${flavour} + our deep imports`, args: [floorScript] },
        { label: `${rawRun.label}, both scenarios`, args: rawRun.args, opts: { env: rawRun.env } },
        ...earlier.map((b) => ({
          label: `before: ${b.ref}, both scenarios (${flavour})`,
          args: app(b.dir),
          opts: {
            cwd: b.dir,
            env: cdktfEnv(
              join(work, `out-before-${b.ref}-${flavour}`),
              flavour,
              'both',
              join(b.dir, 'cdktf.json'),
            ),
          },
        })),
      ],
      // 15 rounds: on this 2-core machine single runs of the same process spread by 30% and more.
      { runs: 15 },
    );
    return {
      ours: ours!,
      oursAll: oursAll!,
      baseline: baseline!,
      floor: floor!,
      raw: raw!,
      before: before.map((m, i) => ({
        ref: earlier[i]!.ref,
        what: earlier[i]!.what,
        measurement: m,
        afterOverBefore: round(ours!.wallMs.median / m.wallMs.median, 2),
      })),
      speedupVsBaseline: round(baseline!.wallMs.median / ours!.wallMs.median, 2),
      ratioToFloor: round(ours!.wallMs.median / floor!.wallMs.median, 2),
      ratioToRaw: round(ours!.wallMs.median / raw!.wallMs.median, 2),
      rawToFloor: round(raw!.wallMs.median / floor!.wallMs.median, 2),
      memoryVsBaseline: round(baseline!.peakRssMb.median / ours!.peakRssMb.median, 2),
    };
  };

  if (only === 'cdktn' || only === 'cdktf') {
    console.log(`${only} synthesis of both scenarios, one run each (smoke: nothing is written)`);
    console.log(JSON.stringify(terraformSynthesis(only), null, 2));
    rmSync(work, { recursive: true, force: true });
    return;
  }
  if (only !== undefined) throw new Error(`--only: received "${only}"; cdktf or cdktn`);
  if (beforeSkipped) results.beforeSkipped = beforeSkipped;

  console.log('1-3. cdktf synthesis of both scenarios: ours, baseline (provider root import), floor');
  results.cdktf = terraformSynthesis('cdktf');
  console.log('1-3. cdktn synthesis of both scenarios: the same app with the CDK Terrain bindings');
  results.cdktn = terraformSynthesis('cdktn');

  console.log('4. Pulumi program under the mock runtime');
  const pulumi: Record<string, Measurement> = {};
  for (const stack of ['a2a', 'vmware']) {
    pulumi[stack] = measure(`pulumi ${stack} (offline preview)`, [
      tsRun,
      join(root, 'stacks', 'pulumi', 'offline.ts'),
      join(root, `Pulumi.${stack}.yaml`),
      join(work, `pulumi-${stack}.json`),
    ]);
  }
  results.pulumi = pulumi;

  console.log('5. Fleet scaling: N vaults, each with automation and A2A replication');
  const sizes = smoke ? [1, 2] : [1, 10, 100, 500];
  const fleet: Record<string, { vaults: number; measurement: Measurement }[]> = { cdktf: [], pulumi: [] };
  for (const n of sizes) {
    fleet.cdktf!.push({
      vaults: n,
      measurement: measure(`cdktf fleet ${n}`, [tsRun, join(root, 'bench', 'fleet-cdktf.ts'), String(n)], {
        env: { CDKTF_OUTDIR: join(work, `fleet-${n}`) },
        runs: n >= 500 ? 3 : 5,
      }),
    });
  }
  // Ours and the raw baseline (the same azure-native resources and inputs without our components,
  // bench/pulumi-raw.ts) round-robin at each size they share, so that load drift falls on both.
  // Pulumi's mock runtime needs about two minutes and 8 GB for 500 vaults: fewer runs and a larger heap.
  const heap = ['--max-old-space-size=8192'];
  const withRaw = smoke ? sizes : rawSizes(process.argv);
  fleet['pulumi-raw'] = [];
  for (const n of sizes) {
    const ours: RunSpec = {
      label: `pulumi fleet ${n}`,
      args: [tsRun, join(root, 'bench', 'fleet-pulumi.ts'), String(n)],
      opts: { nodeFlags: heap },
    };
    const runs = n >= 500 ? { runs: 2, warmups: 0 } : n >= 100 ? { runs: 3, warmups: 0 } : { runs: 3 };
    if (!withRaw.includes(n)) {
      fleet.pulumi!.push({ vaults: n, measurement: measureTogether([ours], runs)[0]! });
      continue;
    }
    const [o, raw] = measureTogether([ours, prepareRawFleet(n, { root, work, tsRun }, heap)], runs);
    fleet.pulumi!.push({ vaults: n, measurement: o! });
    fleet['pulumi-raw'].push({ vaults: n, measurement: raw! });
  }
  const scaling = Object.fromEntries(
    Object.entries(fleet).map(([engine, points]) => {
      const marginal = points.slice(1).map((p, i) => ({
        from: points[i]!.vaults,
        to: p.vaults,
        msPerVault: round(
          (p.measurement.wallMs.median - points[i]!.measurement.wallMs.median) /
            (p.vaults - points[i]!.vaults),
          1,
        ),
        mbPerVault: round(
          (p.measurement.peakRssMb.median - points[i]!.measurement.peakRssMb.median) /
            (p.vaults - points[i]!.vaults),
          2,
        ),
      }));
      const first = marginal[0]!.msPerVault;
      const lastStep = marginal[marginal.length - 1]!.msPerVault;
      return [
        engine,
        {
          points,
          marginal,
          lastOverFirstMarginal: round(lastStep / first, 2),
          linear: lastStep <= 1.5 * first,
        },
      ];
    }),
  );
  results.fleet = scaling;
  results.pulumiRaw = {
    comparison: compareWithRaw(fleet.pulumi!, fleet['pulumi-raw']),
    heapLimitMb: defaultHeapLimitMb(),
    advice: Object.entries(fleet).map(([engine, points]) => fleetAdvice(engine, points)),
  };

  console.log('6. Type-checking a consumer file (tsc --noEmit)');
  // TypeScript 7, the native compiler, as scripts/build.mjs locates it: `typescript` is the
  // TypeScript 6 API package (no bin/tsc), and the native package's exports map hides bin/.
  const tsc = join(dirname(require.resolve('@typescript/native/package.json')), 'bin', 'tsc');
  const tscOurs = measure('tsc: consumer via our constructs', [tsc, '-p', writeConsumer('ours')], {
    runs: 3,
  });
  const tscBarrel = measure('tsc: same file, provider root import', [tsc, '-p', writeConsumer('barrel')], {
    runs: 3,
  });
  results.typecheck = {
    ours: tscOurs,
    barrel: tscBarrel,
    speedup: round(tscBarrel.wallMs.median / tscOurs.wallMs.median, 2),
  };

  // Targets, judged from the numbers above.
  const c = results.cdktf as { ours: Measurement; speedupVsBaseline: number; ratioToFloor: number };
  const n = results.cdktn as { ours: Measurement; speedupVsBaseline: number; ratioToFloor: number };
  const f = scaling as Record<
    string,
    { points: { vaults: number; measurement: Measurement }[]; linear: boolean }
  >;
  // NaN where 500 vaults were not measured (the smoke): the target then reads "NaN ms", not met.
  const at500 = (e: string) =>
    f[e]!.points.find((p) => p.vaults === 500)?.measurement.wallMs.median ?? Number.NaN;
  const rawAt100 = (
    results.pulumiRaw as { comparison: { vaults: number; wallRatio: number }[] }
  ).comparison.find((c) => c.vaults === 100);
  /** Issue 14's targets (and the earlier wall-time one) for one flavour; peak RSS only where it was set (cdktf). */
  const synthesisTargets = (
    name: Flavour,
    x: { ours: Measurement; speedupVsBaseline: number; ratioToFloor: number },
    rssMb?: number,
  ) => [
    {
      target: `${name} both scenarios: median wall <= 1.0 s`,
      value: `${x.ours.wallMs.median} ms`,
      met: x.ours.wallMs.median <= 1000,
    },
    ...(rssMb === undefined
      ? []
      : [
          {
            target: `${name} both scenarios: peak RSS <= ${rssMb} MB`,
            value: `${x.ours.peakRssMb.median} MB`,
            met: x.ours.peakRssMb.median <= rssMb,
          },
        ]),
    {
      target: `${name}: at least 6x faster than the baseline (issue 14)`,
      value: `${x.speedupVsBaseline}x`,
      met: x.speedupVsBaseline >= 6,
    },
    {
      target: `${name}: at most 1.2x the floor (issue 14)`,
      value: `${x.ratioToFloor}x`,
      met: x.ratioToFloor <= 1.2,
    },
  ];
  results.targets = [
    ...synthesisTargets('cdktf', c, 150),
    ...synthesisTargets('cdktn', n),
    { target: '500 vaults, cdktf: <= 10 s', value: `${at500('cdktf')} ms`, met: at500('cdktf') <= 10000 },
    {
      target: '500 vaults, Pulumi (mocks): <= 10 s',
      value: `${at500('pulumi')} ms`,
      met: at500('pulumi') <= 10000,
    },
    {
      target: 'Pulumi at 100 vaults: ours <= 1.2x raw (same resources without our components)',
      value: rawAt100 ? `${rawAt100.wallRatio}x` : 'not measured',
      met: rawAt100 !== undefined && rawAt100.wallRatio <= 1.2,
    },
    {
      target: 'cdktf marginal cost per vault flat (last step <= 1.5x first)',
      value: String(f.cdktf!.linear),
      met: f.cdktf!.linear,
    },
    {
      target: 'Pulumi marginal cost per vault flat (last step <= 1.5x first)',
      value: String(f.pulumi!.linear),
      met: f.pulumi!.linear,
    },
  ];

  console.log('7. The runbook against the fake ARM server');
  results.runbook = await benchRunbook(quick, smoke ? SMOKE_RUNBOOK : undefined);
  console.log('8. The runbook fleet at estate scale');
  results.runbookFleet = await benchRunbookFleet(smoke ? SMOKE_RUNBOOK_FLEET : undefined);

  if (smoke) {
    // Every section ran and the results render; nothing is written.
    renderMarkdown(results);
    rmSync(work, { recursive: true, force: true });
    console.log('smoke: every section ran');
    return;
  }
  await writeResults(results);
  writeFileSync(join(root, 'bench', 'fleet-scaling.svg'), renderFleetChart(fleet));
  rmSync(work, { recursive: true, force: true });
}

/** `npm run bench -- runbook`: only the runbook section; the other figures stay as they were. */
async function mainRunbook(): Promise<void> {
  const file = join(root, 'bench', 'results.json');
  const results = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  console.log('7. The runbook against the fake ARM server');
  results.runbook = await benchRunbook(quick);
  await writeResults(results);
}

/** `npm run bench -- runbook-fleet`: only the fleet section, merged into bench/results.json (nothing else written). */
async function mainRunbookFleet(): Promise<void> {
  const file = join(root, 'bench', 'results.json');
  const results = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  console.log('8. The runbook fleet at estate scale');
  results.runbookFleet = await benchRunbookFleet();
  writeFileSync(file, await format(JSON.stringify(results, null, 2), { parser: 'json' }));
  console.log(renderRunbookFleetMarkdown(results.runbookFleet as FleetBench).join('\n'));
}

async function writeResults(results: Record<string, unknown>): Promise<void> {
  const outDir = join(root, 'bench');
  // Written as Prettier writes it, so that `npm run lint` passes on the committed figures.
  writeFileSync(
    join(outDir, 'results.json'),
    await format(JSON.stringify(results, null, 2), { parser: 'json' }),
  );
  writeFileSync(join(outDir, 'results.md'), renderMarkdown(results));
  // docs/performance.md shows the latest figures: replace its block under "Latest figures".
  const pagePath = join(root, 'docs', 'performance.md');
  const page = readFileSync(pagePath, 'utf8');
  const startMark = '<!-- prettier-ignore-start -->\n';
  const from = page.indexOf(startMark, page.indexOf('## Latest figures'));
  const to = page.indexOf('<!-- prettier-ignore-end -->', from);
  if (from > 0 && to > from)
    writeFileSync(
      pagePath,
      page.slice(0, from + startMark.length) + renderMarkdown(results) + page.slice(to),
    );
  console.log(`\n${renderMarkdown(results)}`);
  console.log(
    `wrote ${[join(outDir, 'results.json'), join(outDir, 'results.md'), pagePath].map((f) => relative(process.cwd(), f)).join(', ')}`,
  );
}

function renderMarkdown(r: Record<string, unknown>): string {
  const row = (m: Measurement) =>
    `| ${m.label} | ${m.wallMs.median} | ${m.wallMs.min}-${m.wallMs.max} | ${m.peakRssMb.median} | ${m.runs} after ${m.warmups} |`;
  type Synthesis = {
    ours: Measurement;
    oursAll?: Measurement;
    baseline: Measurement;
    floor: Measurement;
    raw?: Measurement;
    ratioToRaw?: number;
    rawToFloor?: number;
    before?: { ref: string; what: string; measurement: Measurement; afterOverBefore: number }[];
    speedupVsBaseline: number;
    ratioToFloor: number;
    memoryVsBaseline: number;
  };
  const synthesisRows = (x: Synthesis) => [
    row(x.ours),
    ...(x.oursAll ? [row(x.oursAll)] : []),
    row(x.baseline),
    row(x.floor),
    ...(x.raw ? [row(x.raw)] : []),
    ...(x.before ?? []).map((b) => row(b.measurement)),
  ];
  const beforeAfter = (name: string, x: Synthesis) =>
    (x.before ?? []).map(
      (b) =>
        `${name} before/after, same run: ${b.ref} (${b.what}) ${b.measurement.wallMs.median} ms, now ${x.ours.wallMs.median} ms (${b.afterOverBefore}x).`,
    );
  const c = r.cdktf as Synthesis;
  const n = r.cdktn as Synthesis;
  const p = r.pulumi as Record<string, Measurement>;
  const t = r.typecheck as { ours: Measurement; barrel: Measurement; speedup: number };
  const fl = r.fleet as Record<
    string,
    {
      points: { vaults: number; measurement: Measurement }[];
      marginal: { from: number; to: number; msPerVault: number; mbPerVault: number }[];
      lastOverFirstMarginal: number;
    }
  >;
  const m = r.machine as { cpus: number; cpuModel: string; memoryGb: number; node: string };
  const lines = [
    `Measured ${String(r.generatedAt).slice(0, 10)} on ${m.cpus} cores (${m.cpuModel}), ${m.memoryGb} GB, Node ${m.node}. ${String(r.method)}`,
    '',
    '| measurement | median wall (ms) | spread (ms) | peak RSS (MB) | runs |',
    '|---|---|---|---|---|',
    ...synthesisRows(c),
    ...synthesisRows(n),
    row(p.a2a!),
    row(p.vmware!),
    row(t.ours),
    row(t.barrel),
    '',
    `cdktf, both scenarios: ${c.speedupVsBaseline}x faster and ${c.memoryVsBaseline}x less memory than the baseline; ${c.ratioToFloor}x the floor. cdktn: ${n.speedupVsBaseline}x faster and ${n.memoryVsBaseline}x less memory than its baseline; ${n.ratioToFloor}x its floor. Type-checking: ${t.speedup}x faster than with the provider root import.`,
    '',
    ...[c, n].flatMap((x, i) =>
      x.raw
        ? [
            `${i ? 'cdktn' : 'cdktf'}: the raw program (the same resources declared by hand with the provider classes, no domain, no validation) is ${x.rawToFloor}x the floor; ours is ${x.ratioToRaw}x raw.`,
            '',
          ]
        : [],
    ),
    ...[...beforeAfter('cdktf', c), ...beforeAfter('cdktn', n)].flatMap((l) => [l, '']),
    ...(typeof r.beforeSkipped === 'string' ? [`Earlier versions not measured: ${r.beforeSkipped}`, ''] : []),
    '| engine | vaults | median wall (ms) | peak RSS (MB) |',
    '|---|---|---|---|',
    ...Object.entries(fl).flatMap(([e, f]) =>
      f.points.map(
        (pt) =>
          `| ${e} | ${pt.vaults} | ${pt.measurement.wallMs.median} | ${pt.measurement.peakRssMb.median} |`,
      ),
    ),
    '',
    '| engine | step | marginal ms per vault | marginal MB per vault |',
    '|---|---|---|---|',
    ...Object.entries(fl).flatMap(([e, f]) =>
      f.marginal.map((s) => `| ${e} | ${s.from} to ${s.to} | ${s.msPerVault} | ${s.mbPerVault} |`),
    ),
    '',
    ...renderRawSection(r),
    '| target | value | met |',
    '|---|---|---|',
    ...(r.targets as { target: string; value: string; met: boolean }[]).map(
      (x) => `| ${x.target} | ${x.value} | ${x.met ? 'yes' : '**no**'} |`,
    ),
    '',
    ...renderRunbookMarkdown(r.runbook as RunbookBench),
    '',
    ...(r.runbookFleet ? [...renderRunbookFleetMarkdown(r.runbookFleet as FleetBench), ''] : []),
  ];
  return lines.join('\n');
}

if (!existsSync(join(root, 'node_modules'))) throw new Error('run npm ci first');
(runbookFleetOnly ? mainRunbookFleet() : runbookOnly ? mainRunbook() : main()).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  // A failed smoke leaves nothing behind in the checkout.
  if (smoke) rmSync(work, { recursive: true, force: true });
  process.exit(1);
});
