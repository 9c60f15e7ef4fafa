// The benchmark's own tools, checked without timing anything: the raw Pulumi baseline declares
// exactly what our components register, the fleet advice comes from the curve, and ts-run's
// transform cache serves unchanged files and never a stale one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareWithRaw, fleetAdvice, renderRawSection, type FleetPoint } from '../../bench/pulumi-raw';

const root = join(__dirname, '..', '..');
const tsRun = join(root, 'scripts', 'ts-run.js');
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'asr-bench-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function node(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The lines of a child's stderr that are ours. On Node 26, Pulumi's closure serializer (it serializes
 * RunbookContent's dynamic provider) loads every built-in module, node:ffi included, and Node warns
 * that FFI is experimental: Node's warning, not ours, so it is set aside.
 */
const NODE_FFI_WARNING =
  /ExperimentalWarning: FFI is an experimental feature|`node --trace-warnings \.\.\.` to show where/;
const ownStderr = (stderr: string): string[] =>
  stderr.split('\n').filter((l) => l && !NODE_FFI_WARNING.test(l));

const point = (vaults: number, ms: number, mb: number): FleetPoint => ({
  vaults,
  measurement: { wallMs: { median: ms }, peakRssMb: { median: mb } },
});

describe('the raw Pulumi baseline', () => {
  it('registers the same resources, inputs and calls as our components for the same vaults', () => {
    const recording = join(work, 'recording.json');
    const rec = node([tsRun, join(root, 'bench', 'fleet-pulumi-record.ts'), '2', recording]);
    // Nothing on stderr: the default runtime (PowerShell 7.6) raises no warning.
    expect(ownStderr(rec.stderr)).toEqual([]);
    expect(rec.status).toBe(0);
    const raw = node([tsRun, join(root, 'bench', 'fleet-pulumi-raw.ts'), recording, '--check']);
    expect(ownStderr(raw.stderr)).toEqual([]);
    expect(raw.stdout).toMatch(/raw baseline matches the recording: \d+ registrations and calls/);
    expect(raw.status).toBe(0);
  });
});

describe('ours against raw, and the fleet advice', () => {
  const ours = [point(1, 1600, 200), point(10, 3000, 350), point(100, 17000, 2100), point(500, 160000, 8000)];
  const raw = [point(1, 1500, 190), point(10, 2800, 330), point(100, 15000, 2000)];

  it('compares the sizes both measured', () => {
    expect(compareWithRaw(ours, raw).map((c) => [c.vaults, c.wallRatio])).toEqual([
      [1, 1.07],
      [10, 1.07],
      [100, 1.13],
    ]);
  });

  it('stops at the size that no longer fits the default heap', () => {
    const a = fleetAdvice('pulumi', ours, { heapLimitMb: 4096 });
    expect(a).toMatchObject({ maxVaults: 100, largestMeasured: false, seconds: 17 });
    expect(a.nextFails).toContain('500 vaults need 8000 MB');
  });

  it('stops where the marginal cost per vault stops being flat', () => {
    const a = fleetAdvice('pulumi', ours, { heapLimitMb: 16384 });
    expect(a).toMatchObject({ maxVaults: 100, largestMeasured: false });
    expect(a.nextFails).toContain('from 100 to 500 vaults each vault costs 358 ms');
  });

  it('says when the largest size measured still qualifies', () => {
    expect(fleetAdvice('pulumi-raw', raw, { heapLimitMb: 4096 })).toMatchObject({
      maxVaults: 100,
      largestMeasured: true,
    });
  });

  it('renders nothing for results made before the raw baseline', () => {
    expect(renderRawSection({})).toEqual([]);
  });
});

describe('ts-run transform cache', () => {
  it('serves an unchanged file from the cache and transforms a changed one', () => {
    const cache = join(work, 'ts-cache');
    const entry = join(work, 'entry.ts');
    const env = { ASR_TS_RUN_CACHE_DIR: cache };
    writeFileSync(entry, 'const answer: number = 41;\nconsole.log(String(answer + 1));\n');
    expect(node([tsRun, entry], env).stdout).toBe('42\n');
    expect(readdirSync(cache)).toHaveLength(1);
    expect(node([tsRun, entry], env).stdout).toBe('42\n');
    expect(readdirSync(cache)).toHaveLength(1);
    writeFileSync(entry, "const answer: number = 6;\nconsole.log(String(answer * 7) + '!');\n");
    expect(node([tsRun, entry], env).stdout).toBe('42!\n');
    expect(readdirSync(cache)).toHaveLength(2);
  });

  it('can be turned off', () => {
    const cache = join(work, 'ts-cache-off');
    const entry = join(work, 'off.ts');
    writeFileSync(entry, "console.log('off');\n");
    const r = node([tsRun, entry], { ASR_TS_RUN_CACHE_DIR: cache, ASR_TS_RUN_CACHE: '0' });
    expect(r.stdout).toBe('off\n');
    expect(() => readdirSync(cache)).toThrow();
  });
});
