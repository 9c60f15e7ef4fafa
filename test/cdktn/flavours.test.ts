import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import { buildApp } from '../../stacks/cdktf/main';
import { NOW } from '../fixtures';

/**
 * The two Terraform flavours of one adapter source: the mapping itself, and what it changes in the
 * output. The cdktn jest project (jest.config.js) runs the stack, construct and parity suites with
 * the mapping; this file checks the mapping from outside, in the cdktf project.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const flavours = require('../../scripts/flavours.cjs') as {
  mapSpecifier: (specifier: string, flavour: 'cdktf' | 'cdktn') => string | undefined;
  rewriteSpecifiers: (code: string, flavour: 'cdktf' | 'cdktn') => string;
  isForeign: (specifier: string, flavour: 'cdktf' | 'cdktn') => boolean;
  selectFlavour: (env: NodeJS.ProcessEnv, parents: readonly string[]) => 'cdktf' | 'cdktn';
};

const root = join(__dirname, '..', '..');
const context = JSON.parse(readFileSync(join(root, 'cdktf.json'), 'utf8')).context;

/**
 * Where the cdktf and cdktn Terraform JSON of one configuration may differ (docs/cdktn.md, "What changes in state: nothing").
 * Everything else must be identical.
 */
const FLAVOUR_DIFFERENCES = [
  {
    path: '//.metadata.overrides',
    reason:
      'cdktf declares the runtime environment link and the raised constraint through overrides, which it records in the metadata',
  },
  {
    path: '//.metadata.version',
    reason: 'the version of the core library that synthesized the stack (cdktf 0.21.0, cdktn 0.24.0)',
  },
  {
    path: 'terraform.required_providers.azurerm.version',
    reason:
      "cdktf raises its bindings' 4.55.0 pin to the first azurerm with runtime environments; cdktn's bindings (4.73.0) have them",
  },
] as const;

/** Named value imports of `cdktf` and `@cdktf/provider-azurerm/...` in a source file, with their cdktn twin. */
function twinProblems(source: string, file: string): string[] {
  const problems: string[] = [];
  for (const m of source.matchAll(/^import (type )?\{([^}]*)\} from '([^']+)';/gm)) {
    const [, typeOnly, names, specifier] = m;
    const twin = flavours.mapSpecifier(specifier!, 'cdktn');
    // The flavour module is swapped on purpose; both variants implement flavour-contract.ts.
    if (twin === undefined || typeOnly || twin.startsWith('.')) continue;
    let mod: Record<string, unknown>;
    try {
      mod = require(twin); // eslint-disable-line @typescript-eslint/no-require-imports
    } catch {
      problems.push(`${file}: ${specifier} has no twin ${twin}`);
      continue;
    }
    for (const raw of names!.split(',')) {
      const name = raw.trim().split(/\s+as\s+/)[0]!;
      if (name && !name.startsWith('type ') && !(name in mod))
        problems.push(`${file}: ${twin} does not export ${name}`);
    }
  }
  return problems;
}

function tsFiles(dir: string): string[] {
  return readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

describe('the module mapping', () => {
  it('finds a twin in the cdktn bindings for every import of the adapter, the stacks, the bench and the test helpers', () => {
    const files = [
      ...tsFiles('constructs/cdktf'),
      ...tsFiles('stacks/cdktf'),
      'bench/fleet-cdktf.ts',
      'test/cdktf/helpers.ts',
    ];
    const mapped = files.filter((f) => /from '(cdktf|@cdktf\/)/.test(readFileSync(join(root, f), 'utf8')));
    expect(mapped.length).toBeGreaterThan(8);
    expect(files.flatMap((f) => twinProblems(readFileSync(join(root, f), 'utf8'), f))).toEqual([]);
  });

  it('fails when a deep import has no twin, or the twin lacks a class', () => {
    expect(
      twinProblems(
        "import { Gone } from '@cdktf/provider-azurerm/lib/no-such-resource';\nimport { Nope } from 'cdktf';\n",
        'x.ts',
      ),
    ).toEqual([
      'x.ts: @cdktf/provider-azurerm/lib/no-such-resource has no twin @cdktn/provider-azurerm/lib/no-such-resource',
      'x.ts: cdktn does not export Nope',
    ]);
  });

  it('rewrites the specifiers of compiled code, and only those', () => {
    expect(
      flavours.rewriteSpecifiers(
        [
          'const cdktf_1 = require("cdktf");',
          'const v = require("@cdktf/provider-azurerm/lib/recovery-services-vault");',
          'const f = require("./flavour");',
          "import type { App } from 'cdktf';",
          'const cli = require("cdktf-cli"); // cdktf',
        ].join('\n'),
        'cdktn',
      ),
    ).toBe(
      [
        'const cdktf_1 = require("cdktn");',
        'const v = require("@cdktn/provider-azurerm/lib/recovery-services-vault");',
        'const f = require("./flavour.cdktn");',
        "import type { App } from 'cdktn';",
        'const cli = require("cdktf-cli"); // cdktf',
      ].join('\n'),
    );
  });

  it('fails the build when a flavour names a module of the other (the check scripts/build.mjs runs on dist)', () => {
    const foreignIn = (flavour: 'cdktf' | 'cdktn', specifiers: string[]) =>
      specifiers.filter((s) => flavours.isForeign(s, flavour));
    const all = ['cdktf', 'cdktn', '@cdktf/provider-azurerm/lib/x', '@cdktn/provider-azurerm/lib/x'];
    const neutral = ['constructs', '../domain', './shared', 'cdktf-cli'];
    expect(foreignIn('cdktn', [...all, './flavour', './flavour.cdktn', ...neutral])).toEqual([
      'cdktf',
      '@cdktf/provider-azurerm/lib/x',
      './flavour',
    ]);
    expect(foreignIn('cdktf', [...all, './flavour', './flavour.cdktn', ...neutral])).toEqual([
      'cdktn',
      '@cdktn/provider-azurerm/lib/x',
      './flavour.cdktn',
    ]);
  });

  it('runs the app in the flavour asked for, else the one of the CLI that launched it, else cdktf', () => {
    const cli = 'node /repo/node_modules/.bin/cdktn synth';
    const shell = '/bin/sh -c node scripts/ts-run.js stacks/cdktf/main.ts';
    expect(flavours.selectFlavour({}, [shell, cli])).toBe('cdktn');
    expect(
      flavours.selectFlavour({}, [shell, 'node /usr/lib/node_modules/cdktf-cli/bundle/bin/cdktf.js deploy']),
    ).toBe('cdktf');
    expect(flavours.selectFlavour({ ASR_TERRAFORM_FLAVOUR: 'cdktf' }, [cli])).toBe('cdktf');
    expect(flavours.selectFlavour({}, [shell, 'bash'])).toBe('cdktf');
  });

  it('fails when ASR_TERRAFORM_FLAVOUR names no flavour', () => {
    expect(() => flavours.selectFlavour({ ASR_TERRAFORM_FLAVOUR: 'terraform' }, [])).toThrow(
      'ASR_TERRAFORM_FLAVOUR: received "terraform"; must be one of cdktf, cdktn',
    );
  });
});

/** The JSON paths (dot-joined) at which two documents differ. */
function differingPaths(a: unknown, b: unknown, path: string[] = []): string[] {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) =>
      differingPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], [...path, k]),
    );
  }
  return Object.is(a, b) ? [] : [path.join('.')];
}

describe('the example configuration in both flavours', () => {
  const dirs = {
    cdktf: mkdtempSync(join(tmpdir(), 'asr-cdktf-')),
    cdktn: mkdtempSync(join(tmpdir(), 'asr-cdktn-')),
  };
  const env = {
    ...process.env,
    CHECKPOINT_DISABLE: '1',
    ASR_NOW: NOW,
    CDKTF_CONTEXT_JSON: JSON.stringify(context),
  };
  const stack = (flavour: keyof typeof dirs, name: string): unknown =>
    JSON.parse(readFileSync(join(dirs[flavour], 'stacks', name, 'cdk.tf.json'), 'utf8'));

  beforeAll(() => {
    buildApp(new App({ outdir: dirs.cdktf, context }), { ASR_NOW: NOW }).synth();
    // The cdktn flavour as `npm run synth` and `cdktn synth` run it: the same app, through scripts/ts-run.js.
    execFileSync(
      process.execPath,
      [join(root, 'scripts', 'ts-run.js'), join(root, 'stacks', 'cdktf', 'main.ts')],
      {
        cwd: root,
        env: { ...env, CDKTF_OUTDIR: dirs.cdktn, ASR_TERRAFORM_FLAVOUR: 'cdktn' },
        stdio: 'pipe',
      },
    );
  });

  afterAll(() => {
    for (const d of Object.values(dirs)) rmSync(d, { recursive: true, force: true });
  });

  it.each(['a2a', 'vmware', 'existing'])('%s: differs only where docs/cdktn.md says', (name) => {
    expect(differingPaths(stack('cdktf', name), stack('cdktn', name))).toEqual(
      FLAVOUR_DIFFERENCES.map((d) => d.path),
    );
    const required = (
      stack('cdktn', name) as { terraform: { required_providers: { azurerm: { version: string } } } }
    ).terraform.required_providers.azurerm;
    expect(required.version).toBe('4.73.0');
  });

  it('lists each difference in docs/cdktn.md', () => {
    const page = readFileSync(join(root, 'docs', 'cdktn.md'), 'utf8');
    for (const d of FLAVOUR_DIFFERENCES) expect(page).toContain(`\`${d.path}\``);
  });

  // cdktn-cli 0.24 needs Node.js 22.19 or later (the versions CI runs).
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  const cliRuns = major > 22 || (major === 22 && minor >= 19);
  (cliRuns ? it : it.skip)(
    '`cdktn synth` reads cdktf.json, runs its app in the cdktn flavour, offline',
    () => {
      const out = mkdtempSync(join(tmpdir(), 'asr-cdktn-cli-'));
      try {
        const env2: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1', ASR_NOW: NOW };
        delete env2.ASR_TERRAFORM_FLAVOUR;
        delete env2.CDKTF_CONTEXT_JSON;
        const cdktn = join(root, 'node_modules', 'cdktn-cli', 'bin', 'cdktn');
        execFileSync(process.execPath, [cdktn, 'synth', '--output', out], {
          cwd: root,
          env: env2,
          stdio: 'pipe',
        });
        for (const name of ['a2a', 'vmware'])
          expect(JSON.parse(readFileSync(join(out, 'stacks', name, 'cdk.tf.json'), 'utf8'))).toEqual(
            stack('cdktn', name),
          );
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
  );
});
