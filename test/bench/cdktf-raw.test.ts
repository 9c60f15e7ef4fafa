// The raw cdktf baseline declares exactly what our app synthesizes: the generated program, run
// through cdktf, gives every stack's cdk.tf.json as ours, `//` metadata aside. If our constructs
// change what they synthesize, the program generated from the new output must still match, and a
// program that drifts from ours fails the check.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildCheckedRawProgram,
  compareOutdirs,
  generateRawProgram,
  jsonDifferences,
  prepareCdktfRaw,
} from '../../bench/cdktf-raw';

const root = join(__dirname, '..', '..');
const paths = { root, tsRun: join(root, 'scripts', 'ts-run.js') };
const context = (JSON.parse(readFileSync(join(root, 'cdktf.json'), 'utf8')) as { context: { asr: object } })
  .context;
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'asr-cdktf-raw-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** The deep imports of a generated program; never the provider package root. */
const imports = (program: string): string[] =>
  [...readFileSync(program, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]!);

describe('the raw cdktf baseline', () => {
  let all: ReturnType<typeof buildCheckedRawProgram>;

  it('synthesizes the same stacks as ours: a2a, existing and vmware', () => {
    all = buildCheckedRawProgram({ ...paths, work }, 'cdktf', { name: 'all' });
    expect(all.stacks).toEqual(['a2a', 'existing', 'vmware']);
    expect(all.resources).toBeGreaterThan(30);
    // cdktf's bindings (azurerm 4.55.0) lack the runtime environment: the program declares it as ours does.
    expect(all.escapeHatches).toEqual(['azurerm_automation_runtime_environment']);
    expect(all.overriddenArguments).toEqual(['azurerm_automation_runbook.runtime_environment_name']);
    for (const m of imports(all.program))
      expect(m).toMatch(/^(cdktf|@cdktf\/provider-azurerm\/lib\/[a-z0-9-]+)$/);
  });

  it('synthesizes the same stacks as ours: a2a and vmware only', () => {
    const asr = Object.fromEntries(Object.entries(context.asr).filter(([k]) => k !== 'existing'));
    const two = buildCheckedRawProgram({ ...paths, work }, 'cdktf', {
      name: 'two',
      context: { ...context, asr },
    });
    expect(two.stacks).toEqual(['a2a', 'vmware']);
  });

  it('in the cdktn flavour, with its native runtime environment, gives what bench/run.ts measures', () => {
    const raw = prepareCdktfRaw({ ...paths, work }, 'cdktn');
    expect(raw.program.escapeHatches).toEqual([]);
    expect(raw.program.overriddenArguments).toEqual([]);
    expect(raw.args).toEqual([paths.tsRun, raw.program.program]);
    expect(raw.env).toMatchObject({ ASR_TERRAFORM_FLAVOUR: 'cdktn', CDKTF_OUTDIR: expect.any(String) });
  });

  it('fails, saying where, when the raw output differs from ours', () => {
    const drifted = join(work, 'drifted.out');
    cpSync(all.rawOutdir, drifted, { recursive: true });
    const file = join(drifted, 'stacks', 'a2a', 'cdk.tf.json');
    const doc = JSON.parse(readFileSync(file, 'utf8')) as {
      resource: Record<string, Record<string, Record<string, unknown>>>;
    };
    const [vault] = Object.keys(doc.resource.azurerm_recovery_services_vault!);
    doc.resource.azurerm_recovery_services_vault![vault!]!.sku = 'RS0';
    delete doc.resource.azurerm_automation_runbook![
      Object.keys(doc.resource.azurerm_automation_runbook!)[0]!
    ]!.runtime_environment_name;
    writeFileSync(file, JSON.stringify(doc));
    expect(compareOutdirs(all.oursOutdir, drifted)).toEqual([
      expect.stringMatching(
        /^stack a2a: resource\.azurerm_automation_runbook\.\S+\.runtime_environment_name: only in ours: /,
      ),
      `stack a2a: resource.azurerm_recovery_services_vault.${vault}.sku: ours "Standard", raw "RS0"`,
    ]);
    expect(compareOutdirs(all.oursOutdir, all.rawOutdir)).toEqual([]);
  });
});

describe('the generator', () => {
  const outdir = (doc: object): string => {
    const dir = mkdtempSync(join(work, 'gen-'));
    mkdirSync(join(dir, 'stacks', 's'), { recursive: true });
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify({ stacks: { s: { synthesizedStackPath: 'stacks/s/cdk.tf.json' } } }),
    );
    writeFileSync(join(dir, 'stacks', 's', 'cdk.tf.json'), JSON.stringify(doc));
    return dir;
  };
  const vault = (extra: object) => ({
    resource: {
      azurerm_recovery_services_vault: { V: { name: 'v', sku: 'Standard', ...extra } },
      azurerm_management_lock: { L: { name: 'l', scope: '${azurerm_recovery_services_vault.V.id}' } },
    },
  });

  it('refers to resources through their attributes and keeps map keys', () => {
    const { source } = generateRawProgram(outdir(vault({ tags: { Owner_Name: 'x' } })), {
      root,
      flavour: 'cdktf',
    });
    expect(source).toContain('tags: { Owner_Name: "x" }');
    expect(source).toContain('scope: v.id');
  });

  it('refuses an expression it cannot translate that names a resource', () => {
    const doc = vault({});
    doc.resource.azurerm_management_lock.L.scope =
      '${azurerm_recovery_services_vault.V.id == "" ? "a" : "b"}';
    expect(() => generateRawProgram(outdir(doc), { root, flavour: 'cdktf' })).toThrow(
      /cannot translate the expression .* \(it names azurerm_recovery_services_vault\.V\)/,
    );
  });

  it('refuses an argument the binding does not have inside a block', () => {
    expect(() =>
      generateRawProgram(outdir(vault({ identity: { type: 'SystemAssigned', bogus: 1 } })), {
        root,
        flavour: 'cdktf',
      }),
    ).toThrow('azurerm_recovery_services_vault.V.identity.bogus: not an argument of');
  });

  it('lists JSON differences with their paths', () => {
    expect(jsonDifferences({ a: [1, { b: 'x' }] }, { a: [1, { b: 'y' }, 3], c: true })).toEqual([
      'a[1].b: ours "x", raw "y"',
      'a: ours has 2 items, raw 3',
      'c: only in raw: true',
    ]);
  });
});
