// Day 2 under CDK for Terraform: two synths of the example app at different clocks write the same
// Terraform JSON, except the schedule's first start time, which Terraform ignores after creation.
// So a second `cdktf deploy` (`terraform plan`) finds nothing to change.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { App } from 'cdktf';
import { buildApp } from '../../stacks/cdktf/main';

const root = join(__dirname, '..', '..');
const exampleContext = JSON.parse(readFileSync(join(root, 'cdktf.json'), 'utf8')).context;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

type Manifest = { stacks: Record<string, { annotations?: { stacktrace?: unknown }[] }> };

/**
 * Synthesizes the example app as `cdktf synth` does, with ASR_NOW as the clock; returns every output
 * file. The manifest's annotations (the policy warnings) are kept without their stack traces: those
 * say which line called the synth (here, a different line of this test each time), not what it wrote.
 */
function synthAt(now: string): Record<string, unknown> {
  const outdir = mkdtempSync(join(tmpdir(), 'asr-cdktf-'));
  try {
    buildApp(new App({ outdir, context: exampleContext }), { ASR_NOW: now }).synth();
    const files = Object.fromEntries(
      filesUnder(outdir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => [relative(outdir, f), JSON.parse(readFileSync(f, 'utf8')) as unknown]),
    );
    for (const stack of Object.values((files['manifest.json'] as Manifest).stacks))
      for (const annotation of stack.annotations ?? []) delete annotation.stacktrace;
    return files;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Every leaf path where two values differ. */
function differences(a: unknown, b: unknown, path: string[] = []): string[][] {
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) =>
      differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], [...path, k]),
    );
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path];
}

const T0 = '2026-11-22T10:42:13Z';
const HOUR = 3600000;
const later = (ms: number): string => new Date(Date.parse(T0) + ms).toISOString();

describe('the example cdktf app, synthesized again later', () => {
  const first = synthAt(T0);

  it('writes every stack', () => {
    expect(Object.keys(first).sort()).toEqual([
      'manifest.json',
      'stacks/a2a/cdk.tf.json',
      'stacks/existing/cdk.tf.json',
      'stacks/vmware/cdk.tf.json',
    ]);
  });

  it.each([
    ['3 hours', 3 * HOUR],
    ['26 hours', 26 * HOUR],
    ['3 weeks', 21 * 24 * HOUR],
    ['a year', 365 * 24 * HOUR],
  ])('differs %s later only in the schedule start time, which Terraform ignores', (_, ms) => {
    const second = synthAt(later(ms));
    const diffs = differences(first, second);
    // A day or more later the next midnight is another day: the start time does move.
    if (ms >= 24 * HOUR) expect(diffs.length).toBeGreaterThan(0);
    for (const d of diffs) {
      // <file> resource azurerm_automation_schedule <id> start_time
      expect(d.slice(1, 3)).toEqual(['resource', 'azurerm_automation_schedule']);
      expect(d.slice(4)).toEqual(['start_time']);
      const schedule = (first[d[0]!] as { resource: Record<string, Record<string, Record<string, unknown>>> })
        .resource.azurerm_automation_schedule![d[3]!]!;
      expect((schedule.lifecycle as { ignore_changes: string[] }).ignore_changes).toContain('start_time');
    }
    // Whatever the clock, each stack's schedule is the only thing that moved.
    expect(new Set(diffs.map((d) => d[0])).size).toBeLessThanOrEqual(3);
  });

  it('ships the runbook inline, identical on every synth', () => {
    const second = synthAt(later(21 * 24 * HOUR));
    for (const file of [
      'stacks/a2a/cdk.tf.json',
      'stacks/vmware/cdk.tf.json',
      'stacks/existing/cdk.tf.json',
    ]) {
      const rb = (doc: Record<string, unknown>) =>
        (doc[file] as { resource: Record<string, unknown> }).resource.azurerm_automation_runbook;
      expect(rb(second)).toEqual(rb(first));
    }
  });
});
