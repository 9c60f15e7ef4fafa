import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';

/**
 * Part of `npm run bench`: the raw Pulumi baseline of the fleet benchmark (the same azure-native
 * resources with the same inputs, declared without our components, under the same mocks), the
 * ours/raw comparison, and the fleet advice computed from the measured curves.
 */

interface Figure {
  readonly median: number;
}
/** What this module needs of a bench measurement (run.ts's `Measurement`). */
export interface MeasuredRun {
  readonly wallMs: Figure;
  readonly peakRssMb: Figure;
}
export interface FleetPoint<M extends MeasuredRun = MeasuredRun> {
  readonly vaults: number;
  readonly measurement: M;
}
/**
 * Vault counts of the raw baseline. 500 is left out by default: recording it and running it twice
 * would add about 8 minutes to a bench that must stay under 15 (`--raw-500` adds it).
 */
export const rawSizes = (argv: readonly string[]): number[] =>
  argv.includes('--raw-500') ? [1, 10, 100, 500] : [1, 10, 100];

/**
 * The raw baseline's process for `n` vaults: records what our components register for `n` vaults
 * (one untimed run of fleet-pulumi-record.ts), and returns what to measure (fleet-pulumi-raw.ts
 * replaying it), to be run round-robin with ours at the same size, with the same heap.
 */
export function prepareRawFleet(
  n: number,
  paths: { root: string; work: string; tsRun: string },
  nodeFlags: readonly string[],
): { label: string; args: string[]; opts: { nodeFlags: string[] } } {
  const recording = join(paths.work, `pulumi-raw-${n}.json`);
  const r = spawnSync(
    process.execPath,
    [...nodeFlags, paths.tsRun, join(paths.root, 'bench', 'fleet-pulumi-record.ts'), String(n), recording],
    { cwd: paths.root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (r.status !== 0) throw new Error(`recording ${n} vaults: exit ${r.status}\n${r.stderr?.slice(-2000)}`);
  return {
    label: `pulumi raw fleet ${n}`,
    args: [paths.tsRun, join(paths.root, 'bench', 'fleet-pulumi-raw.ts'), recording],
    opts: { nodeFlags: [...nodeFlags] },
  };
}

/** Ours against raw at every size both measured. */
export interface RawComparison {
  readonly vaults: number;
  readonly oursMs: number;
  readonly rawMs: number;
  readonly wallRatio: number;
  readonly oursMb: number;
  readonly rawMb: number;
  readonly rssRatio: number;
}

export function compareWithRaw(ours: readonly FleetPoint[], raw: readonly FleetPoint[]): RawComparison[] {
  return raw.flatMap((r) => {
    const o = ours.find((p) => p.vaults === r.vaults);
    if (!o) return [];
    const oursMs = o.measurement.wallMs.median;
    const rawMs = r.measurement.wallMs.median;
    const oursMb = o.measurement.peakRssMb.median;
    const rawMb = r.measurement.peakRssMb.median;
    return [
      {
        vaults: r.vaults,
        oursMs,
        rawMs,
        wallRatio: Number((oursMs / rawMs).toFixed(2)),
        oursMb,
        rawMb,
        rssRatio: Number((oursMb / rawMb).toFixed(2)),
      },
    ];
  });
}

/** The largest measured fleet one app handles well, per engine, and why the next size does not qualify. */
export interface FleetAdvice {
  readonly engine: string;
  /** Largest measured vault count that passes both checks; undefined when even the smallest fails. */
  readonly maxVaults?: number;
  /** True when it is the largest size measured (the real limit may be higher). */
  readonly largestMeasured: boolean;
  /** Seconds for that many vaults (median wall). */
  readonly seconds?: number;
  /** Why the next measured size fails, when one does. */
  readonly nextFails?: string;
}

/**
 * Computed from the measured curve, never hand-written: a size qualifies when the marginal cost per
 * vault of every step up to it stays within `flatFactor` times the first step (the curve is still
 * linear) and its peak RSS fits Node's default heap limit on this machine (no `--max-old-space-size`).
 */
export function fleetAdvice(
  engine: string,
  points: readonly FleetPoint[],
  opts: { flatFactor?: number; heapLimitMb?: number } = {},
): FleetAdvice {
  const flat = opts.flatFactor ?? 1.5;
  const heapLimitMb = opts.heapLimitMb ?? defaultHeapLimitMb();
  const sorted = [...points].sort((a, b) => a.vaults - b.vaults);
  const perVault = (i: number): number =>
    (sorted[i]!.measurement.wallMs.median - sorted[i - 1]!.measurement.wallMs.median) /
    (sorted[i]!.vaults - sorted[i - 1]!.vaults);
  let best: number | undefined;
  let nextFails: string | undefined;
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i]!;
    const rss = p.measurement.peakRssMb.median;
    if (rss > heapLimitMb) {
      nextFails = `${p.vaults} vaults need ${rss} MB, over Node's default heap limit of ${heapLimitMb} MB`;
      break;
    }
    if (i >= 2 && perVault(i) > flat * perVault(1)) {
      nextFails = `from ${sorted[i - 1]!.vaults} to ${p.vaults} vaults each vault costs ${Math.round(perVault(i))} ms, over ${flat}x the ${Math.round(perVault(1))} ms of the first step`;
      break;
    }
    best = i;
  }
  const chosen = best === undefined ? undefined : sorted[best]!;
  return {
    engine,
    ...(chosen
      ? { maxVaults: chosen.vaults, seconds: Number((chosen.measurement.wallMs.median / 1000).toFixed(1)) }
      : {}),
    largestMeasured: best === sorted.length - 1,
    ...(nextFails ? { nextFails } : {}),
  };
}

/** Node's default old-space limit here, in MB (what a process started without heap flags gets). */
export function defaultHeapLimitMb(): number {
  return Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
}

const ENGINE_NAMES: Record<string, string> = {
  cdktf: 'cdktf',
  pulumi: 'Pulumi (our components, mocks)',
  'pulumi-raw': 'Pulumi raw (same resources, no components, mocks)',
};
export const engineName = (engine: string): string => ENGINE_NAMES[engine] ?? engine;

/** Markdown for results.md: the ours/raw table and the advice. Empty for results made before the raw baseline. */
export function renderRawSection(r: Record<string, unknown>): string[] {
  const raw = r.pulumiRaw as
    { comparison: RawComparison[]; advice: FleetAdvice[]; heapLimitMb: number } | undefined;
  if (!raw) return [];
  return [
    '| Pulumi vaults | ours (ms) | raw (ms) | ours/raw wall | ours (MB) | raw (MB) | ours/raw RSS |',
    '|---|---|---|---|---|---|---|',
    ...raw.comparison.map(
      (c) =>
        `| ${c.vaults} | ${c.oursMs} | ${c.rawMs} | ${c.wallRatio}x | ${c.oursMb} | ${c.rawMb} | ${c.rssRatio}x |`,
    ),
    '',
    ...linearity(r.fleet as Record<string, Curve> | undefined),
    `Fleet advice, computed from the curves above (a size qualifies while the marginal cost per vault stays within 1.5x the first step and peak RSS fits Node's default heap limit here, ${raw.heapLimitMb} MB):`,
    '',
    ...raw.advice.map((a) => {
      const size =
        a.maxVaults === undefined
          ? 'no measured size qualifies'
          : `up to ${a.maxVaults} vaults per ${a.engine === 'cdktf' ? 'app' : 'stack'}${a.largestMeasured ? ' (the largest size measured)' : ''}, about ${a.seconds} s`;
      return `- ${engineName(a.engine)}: ${size}${a.nextFails ? `; ${a.nextFails}` : ''}.`;
    }),
    '',
  ];
}

interface Curve {
  readonly marginal: readonly { from: number; to: number; msPerVault: number }[];
  readonly lastOverFirstMarginal: number;
}

/** One plain sentence per Pulumi curve: linear or super-linear over the sizes measured. */
function linearity(fleet: Record<string, Curve> | undefined): string[] {
  const lines = ['pulumi', 'pulumi-raw'].flatMap((engine) => {
    const c = fleet?.[engine];
    if (!c || c.marginal.length < 2) return [];
    const first = c.marginal[0]!;
    const last = c.marginal[c.marginal.length - 1]!;
    const shape = c.lastOverFirstMarginal <= 1.5 ? 'linear' : 'super-linear';
    return [
      `- ${engineName(engine)} is ${shape} over the sizes measured: ${first.msPerVault} ms per vault from ${first.from} to ${first.to} vaults, ${last.msPerVault} ms from ${last.from} to ${last.to} (${c.lastOverFirstMarginal}x).`,
    ];
  });
  return lines.length ? [...lines, ''] : [];
}
