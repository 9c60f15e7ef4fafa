// A configuration mistake at an entry point reads like a message, not a crash: the cdktf app, the
// Pulumi program (as the CLI runs it, and under mocks) and `npm run synth` each run here as a child
// process with a bad configuration. A bug (any other error) keeps its stack.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { formatEntryPointError, reportEntryPointError } from '../scripts/report-error';
import { ValidationError } from '../constructs/domain/internal';
import { ConfigError } from '../stacks/config';

const root = join(__dirname, '..');
const PROJECT = 'asr-mobility-autoupdate';
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'asr-entry-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, args, {
    cwd: root,
    env: { ...process.env, CHECKPOINT_DISABLE: '1', CDKTF_OUTDIR: join(work, 'cdktf.out'), ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tsRun = (entry: string, env: NodeJS.ProcessEnv = {}, args: string[] = []) =>
  run([join(root, 'scripts', 'ts-run.js'), join(root, entry), ...args], env);

const badA2A = JSON.stringify({
  vault: { name: '9', resourceGroupName: 'rg-dr', location: 'westeurope' },
  replication: { sourceRegion: 'northeurope', targetRegion: 'westeurope' },
});

/** No stack frame, no util.inspect dump of the error object, no source path. */
function expectPlainMessage(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/violations:|\[ValidationError|ValidationError:|RunError|\{\s*$/m);
  expect(stderr).not.toMatch(/(constructs|stacks|scripts)\/\S+\.(ts|js|mjs)/);
}

/** A Pulumi stack config of the A2A scenario (as `PULUMI_CONFIG` holds it), with these keys changed. */
const pulumiConfig = (extra: Record<string, string>): string =>
  JSON.stringify(
    Object.fromEntries(
      Object.entries({
        vaultName: 'rsv-dr',
        vaultResourceGroupName: 'rg-dr',
        vaultLocation: 'westeurope',
        sourceRegion: 'northeurope',
        targetRegion: 'westeurope',
        ...extra,
      }).map(([k, v]) => [`${PROJECT}:${k}`, v]),
    ),
  );
const pulumiProgram = (extra: Record<string, string>) =>
  tsRun('stacks/pulumi/index.ts', {
    PULUMI_NODEJS_PROJECT: PROJECT,
    PULUMI_NODEJS_STACK: 'a2a',
    PULUMI_CONFIG: pulumiConfig(extra),
  });

/** The example A2A stack file with vaultName '9', previewed offline under mocks as `npm run synth` does. */
function offlinePreviewOfBadStackFile() {
  const stackFile = join(work, 'Pulumi.bad.yaml');
  writeFileSync(
    stackFile,
    readFileSync(join(root, 'Pulumi.a2a.yaml'), 'utf8').replace(
      /^(\s+asr-mobility-autoupdate:vaultName:).*$/m,
      "$1 '9'",
    ),
  );
  writeFileSync(join(work, 'Pulumi.yaml'), `name: ${PROJECT}\nruntime: nodejs\n`);
  return tsRun('stacks/pulumi/offline.ts', {}, [stackFile, join(work, 'out.json')]);
}

const BAD_VAULT_NAME =
  'A2A scenario: 1 invalid prop:\n  - vault.name: received "9"; a vault name has 2-50 characters: letters, digits and hyphens, starting with a letter';

/**
 * What an entry point prints on stderr: the whole of it (`is`, trimmed), or a part (`contains`) and
 * a line (`line`) of it.
 */
type Says = { readonly is: string } | { readonly contains: string; readonly line?: RegExp };

// Each entry point, as its CLI runs it, with a bad configuration: exit 1 and a plain message.
describe.each<[string, [string, () => ReturnType<typeof run>, Says][]]>([
  [
    'the cdktf app (cdktf.json runs stacks/cdktf/main.ts)',
    [
      [
        'a validation error as its message only',
        () => tsRun('stacks/cdktf/main.ts', { ASR_A2A: badA2A }),
        { is: BAD_VAULT_NAME },
      ],
      [
        'a validation error with the policy rule ids it carries',
        () =>
          tsRun('stacks/cdktf/main.ts', {
            ASR_VMWARE: JSON.stringify({
              vault: {
                name: 'rsv-vmware-weu',
                resourceGroupName: 'rg-vmware',
                location: 'westeurope',
                publicNetworkAccessEnabled: false,
              },
            }),
          }),
        {
          contains: 'VMware scenario: 1 invalid prop:',
          line: /^rule ids: ASR-E01 \(docs\/policy-rules\.md\)$/m,
        },
      ],
      [
        'a configuration error (ConfigError) of the environment as its message only',
        () => tsRun('stacks/cdktf/main.ts', { ASR_NOW: 'tomorrow' }),
        {
          is: 'environment: 1 problem:\n  - ASR_NOW: received "tomorrow"; must be an ISO date-time such as 2026-01-01T00:00:00Z',
        },
      ],
      [
        'a configuration error (ConfigError) for a missing file as its message only',
        () => tsRun('stacks/cdktf/main.ts', { ASR_A2A: '@missing.json' }),
        {
          is: 'asr config: 1 problem:\n  - ASR_A2A: cannot read the file "missing.json" (no such file); give JSON, or @path to a JSON file',
        },
      ],
    ],
  ],
  [
    'the Pulumi program',
    [
      [
        'a validation error as its message only, as a RunError the Pulumi CLI prints without a stack',
        () => pulumiProgram({ vaultName: '9' }),
        { is: BAD_VAULT_NAME },
      ],
      [
        'a configuration error (ConfigError) as its message only',
        () => pulumiProgram({ alertSeverity: 'high' }),
        { is: 'Pulumi config: 1 problem:\n  - alertSeverity: received "high"; must be an integer' },
      ],
      [
        'a validation error under mocks (the offline preview of npm run synth) as its message only',
        offlinePreviewOfBadStackFile,
        { contains: 'A2A scenario: 1 invalid prop:\n  - vault.name: received "9"' },
      ],
    ],
  ],
  [
    'npm run synth',
    [
      [
        'a validation error as its message only',
        () => run([join(root, 'scripts', 'synth.mjs')], { ASR_A2A: badA2A }),
        {
          contains:
            'A2A scenario: 1 invalid prop:\n  - vault.name: received "9"; a vault name has 2-50 characters',
        },
      ],
    ],
  ],
])('%s', (_, cases) => {
  it.each(cases)('prints %s and exits 1', (_what, start, says) => {
    const r = start();
    expect(r.status).toBe(1);
    if ('is' in says) expect(r.stderr.trim()).toBe(says.is);
    else {
      expect(r.stderr).toContain(says.contains);
      if (says.line) expect(r.stderr).toMatch(says.line);
    }
    expectPlainMessage(r.stderr);
  });
});

describe('the shared error printer', () => {
  const err = new ValidationError('A2A scenario', [
    { prop: 'vault.name', value: '9', rule: 'a vault name has 2-50 characters' },
    { prop: 'vault.publicNetworkAccessEnabled', value: false, rule: 'ASR-E01: behind private endpoints' },
  ]);

  it('prints a validation error as its message and rule ids, and returns exit code 1', () => {
    let out = '';
    expect(reportEntryPointError(err, (t) => (out += t))).toBe(1);
    expect(out).toBe(`${err.message}\nrule ids: ASR-E01 (docs/policy-rules.md)\n`);
  });

  it('prints a configuration error (ConfigError) as its message only, and returns exit code 1', () => {
    const config = new ConfigError('asr config', ['ASR_A2A: received "{"; not JSON']);
    let out = '';
    expect(reportEntryPointError(config, (t) => (out += t))).toBe(1);
    expect(out).toBe(`${config.message}\n`);
    // Matched by shape: a ConfigError of a second copy of the library is one too.
    const copy = Object.assign(new Error('Pulumi config: 1 problem'), {
      name: 'ConfigError',
      problems: ['x'],
    });
    expect(formatEntryPointError(copy)).toBe('Pulumi config: 1 problem');
    // An error merely named ConfigError, without its problems, is not.
    const named = Object.assign(new Error('boom'), { name: 'ConfigError' });
    expect(formatEntryPointError(named)).toBe(named.stack);
  });

  it('keeps the stack of any other error', () => {
    const bug = new TypeError('x is undefined');
    expect(formatEntryPointError(bug)).toBe(bug.stack);
  });
});

describe('messages a package user reads', () => {
  it('never point at a file of this repository', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
      });
    const offenders: string[] = [];
    for (const file of files(join(root, 'constructs'))) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/^\s*(\/\/|\*|\/\*\*|import |export .* from )/.test(line)) return;
          // A string literal that names a source path: constructs/…, stacks/…, scripts/… or a .ts file.
          for (const literal of line.match(/(['"`])(?:(?!\1).)*\1/g) ?? [])
            if (/\b(constructs|stacks|scripts|test)\/|\w\.ts\b/.test(literal))
              offenders.push(`${relative(root, file)}:${i + 1}: ${literal}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});
