import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { terraformTemplateText } from '../cdktf/helpers';

/**
 * What we publish must work installed from the tarball, with only one engine present. This packs
 * the library, installs it into a temporary copy of each example with that engine's packages only
 * (from the npm cache that `npm ci` filled), type-checks it, and synthesizes it (cdktf, cdktn) or
 * runs it under Pulumi's mocks. The same pack (and the dist/ its prepack built) is checked by the
 * standard tools: API Extractor's reports, publint and arethetypeswrong.
 */
const root = join(__dirname, '..', '..');
const run = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string =>
  execFileSync(cmd, args, {
    cwd,
    env: { ...env, CHECKPOINT_DISABLE: '1' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
const npm = (args: string[], cwd: string): string =>
  run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], cwd);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { apiReportProblems } = require('../../scripts/api-report.cjs') as {
  apiReportProblems: (options?: { local?: boolean }) => string[];
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const flavours = require('../../scripts/flavours.cjs') as {
  moduleSpecifiers: (code: string) => string[];
  isForeign: (specifier: string, flavour: 'cdktf' | 'cdktn') => boolean;
};

let work: string;
let tarball: string;
/** What `npm pack --json` wrote to standard output (the prepack build runs first). */
let packStdout: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'asr-pack-'));
  packStdout = npm(['pack', '--json', '--pack-destination', work], root);
  tarball = join(
    work,
    readdirSync(work).find((f) => f.endsWith('.tgz'))!,
  );
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** A temporary copy of an example, depending on the tarball instead of the registry version. */
function installExample(engine: 'cdktf' | 'cdktn' | 'pulumi'): string {
  const dir = join(work, engine);
  run('mkdir', ['-p', dir], work);
  for (const f of readdirSync(join(root, 'examples', engine))) {
    if (/\.(ts|json|yaml)$/.test(f)) copyFileSync(join(root, 'examples', engine, f), join(dir, f));
  }
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  pkg.dependencies['asr-mobility-autoupdate'] = `file:${tarball}`;
  delete pkg.devDependencies[`${engine}-cli`]; // the CLI deploys; synthesizing needs only the app
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  npm(['install', '--prefer-offline', '--ignore-scripts'], dir);
  return dir;
}

describe('the packed package', () => {
  it('keeps `npm pack --json` output valid JSON: the prepack build reports on stderr', () => {
    const parsed: unknown = JSON.parse(packStdout);
    expect(parsed).toEqual([
      expect.objectContaining({ name: 'asr-mobility-autoupdate', filename: expect.stringMatching(/\.tgz$/) }),
    ]);
  });

  it('contains only what users need', () => {
    const files = run('tar', ['-tzf', tarball], work)
      .trim()
      .split('\n')
      .map((f) => f.replace(/^package\//, ''));
    expect(
      files.filter(
        (f) =>
          !/^(dist\/.+\.(js|d\.ts)|dist\/runbooks\/Set-AsrMobilityAutoUpdate\.ps1|package\.json|README\.md|CHANGELOG\.md|LICENSE)$/.test(
            f,
          ),
      ),
    ).toEqual([]);
    for (const entry of [
      'dist/domain/index.js',
      'dist/cdktf/index.d.ts',
      'dist/cdktn/index.d.ts',
      'dist/cdktn/index.js',
      'dist/pulumi/index.js',
      'dist/runbooks/Set-AsrMobilityAutoUpdate.ps1',
      'CHANGELOG.md',
      'LICENSE',
    ]) {
      expect(files).toContain(entry);
    }
  });

  it('declares the engines as optional peers, and depends on nothing else', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.dependencies).toBeUndefined();
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual([
      '@cdktf/provider-azurerm',
      '@pulumi/azure-native',
      '@pulumi/pulumi',
      'cdktf',
      'cdktn',
      'constructs',
    ]);
    for (const name of Object.keys(pkg.peerDependencies))
      expect(pkg.peerDependenciesMeta[name]).toEqual({ optional: true });
  });

  it('leaves @cdktn/provider-azurerm out of the peers while its own peer range refuses the cdktn we support', () => {
    // npm 11 resolves an optional peer's own peers even when nobody installs it: with
    // @cdktn/provider-azurerm (peer cdktn ^0.23.0) declared, `npm install` of a cdktf or Pulumi user
    // fails with ERESOLVE wherever no cdktn 0.23 is served (README, "CDK Terrain: the peer wrinkle").
    const ours = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const bindings = JSON.parse(
      readFileSync(join(root, 'node_modules', '@cdktn', 'provider-azurerm', 'package.json'), 'utf8'),
    );
    expect(ours.peerDependencies.cdktn).toBe('^0.24.0');
    expect(bindings.peerDependencies.cdktn).toBe('^0.23.0'); // when this changes, declare the peer
    expect(ours.peerDependencies['@cdktn/provider-azurerm']).toBeUndefined();
  });
});

describe('the standard package checks', () => {
  /** Runs a devDependency's command (node_modules/.bin: their exports maps hide the bin files). */
  const tool = (name: string, args: string[]) =>
    spawnSync(process.execPath, [join(root, 'node_modules', '.bin', name), ...args], {
      cwd: root,
      encoding: 'utf8',
    });

  it('API Extractor: api/<entry>.api.md is the report of each entry point, with no TSDoc or API finding', () => {
    // dist/ is what `npm pack` just built (prepack). An intended change: `npm run api`, review the diff.
    expect(apiReportProblems()).toEqual([]);
  }, 120_000);

  it('keeps internals out of the domain entry point', () => {
    const domain = readFileSync(join(root, 'api', 'domain.api.md'), 'utf8');
    expect(domain).toMatch(/^export function resolveExistingVaultsScenario[<(]/m);
    for (const internal of [
      'handOver',
      'handedOver',
      'RuleSet',
      'resolveRecoveryVault',
      'checkName',
      'uuidV5',
    ])
      expect(domain).not.toMatch(
        new RegExp(`^export (abstract )?(class|const|enum|function|interface|type) ${internal}\\b`, 'm'),
      );
  });

  it('publint: the tarball has no error, warning or suggestion', () => {
    const r = tool('publint', ['run', tarball, '--strict']);
    expect({
      status: r.status,
      messages: /^(Errors|Warnings|Suggestions):/m.test(r.stdout) ? r.stdout : '',
    }).toEqual({
      status: 0,
      messages: '',
    });
  });

  it('arethetypeswrong: every entry point resolves to its types, from CommonJS and from ESM', () => {
    // Profile node16: Node's resolution from CJS and ESM, and bundlers. It leaves out node10
    // (moduleResolution "node"), which ignores the exports map and is removed in TypeScript 7: the
    // subpath entry points are reachable only through the exports map. The runbook subpath is a
    // PowerShell file shipped as an asset, not a module, so there are no types to resolve.
    const r = tool('attw', [
      tarball,
      '--profile',
      'node16',
      '--exclude-entrypoints',
      './runbooks/Set-AsrMobilityAutoUpdate.ps1',
      '--format',
      'ascii',
    ]);
    expect({ status: r.status, output: r.status === 0 ? '' : r.stdout + r.stderr }).toEqual({
      status: 0,
      output: '',
    });
  });
});

describe('installed from the tarball', () => {
  /** Type-checks the example, synthesizes it, and checks the platform team's stack. */
  function synthesizeTerraformExample(dir: string): void {
    run(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], dir);
    const outdir = join(dir, 'cdktf.out');
    run(process.execPath, ['bin/main.js'], dir, { ...process.env, CDKTF_OUTDIR: outdir });
    const doc = JSON.parse(readFileSync(join(outdir, 'stacks', 'dr', 'cdk.tf.json'), 'utf8'));
    const runbooks = Object.values(
      doc.resource.azurerm_automation_runbook as Record<string, { content: string; runbook_type: string }>,
    );
    expect(runbooks).toHaveLength(2);
    // The runbook shipped inside the package is what gets uploaded (as Terraform reads the escaped text).
    expect(terraformTemplateText(runbooks[0]!.content)).toBe(
      readFileSync(join(root, 'constructs', 'runbooks', 'Set-AsrMobilityAutoUpdate.ps1'), 'utf8'),
    );
    expect(Object.keys(doc.resource.azurerm_site_recovery_protection_container_mapping)).toHaveLength(4);
    // The resource group and workspace created in the same program are passed as references.
    for (const v of Object.values(
      doc.resource.azurerm_recovery_services_vault as Record<string, Record<string, unknown>>,
    ))
      expect(v.resource_group_name).toMatch(/^\$\{azurerm_resource_group\.[\w-]+\.name\}$/);
    for (const d of Object.values(
      doc.resource.azurerm_monitor_diagnostic_setting as Record<string, Record<string, unknown>>,
    ))
      expect(d.log_analytics_workspace_id).toMatch(/^\$\{azurerm_log_analytics_workspace\.[\w-]+\.id\}$/);
    expect(JSON.stringify(doc)).not.toContain('TfToken');
  }

  it('cdktf: type-checks and synthesizes the platform team stack, without any Pulumi package', () => {
    const dir = installExample('cdktf');
    expect(existsSync(join(dir, 'node_modules', '@pulumi'))).toBe(false);
    synthesizeTerraformExample(dir);
  }, 300_000);

  it('cdktn: type-checks and synthesizes the platform team stack with only CDK Terrain packages', () => {
    const dir = installExample('cdktn');
    for (const absent of ['cdktf', '@cdktf', '@pulumi'])
      expect(existsSync(join(dir, 'node_modules', absent))).toBe(false);
    // What the cdktn entry point ships names only cdktn packages (skipLibCheck would hide a missing one).
    const shipped = join(dir, 'node_modules', 'asr-mobility-autoupdate', 'dist', 'cdktn');
    const foreign = readdirSync(shipped).flatMap((f) =>
      flavours
        .moduleSpecifiers(readFileSync(join(shipped, f), 'utf8'))
        .filter((s) => flavours.isForeign(s, 'cdktn'))
        .map((s) => `${f}: ${s}`),
    );
    expect(foreign).toEqual([]);
    synthesizeTerraformExample(dir);
    const doc = JSON.parse(readFileSync(join(dir, 'cdktf.out', 'stacks', 'dr', 'cdk.tf.json'), 'utf8'));
    expect(doc.terraform.required_providers.azurerm.version).toBe('4.73.0');
  }, 300_000);

  it('pulumi: type-checks and runs the platform team program under mocks, without any cdktf package', () => {
    const dir = installExample('pulumi');
    for (const absent of ['cdktf', 'constructs', '@cdktf'])
      expect(existsSync(join(dir, 'node_modules', absent))).toBe(false);
    run(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], dir);
    writeFileSync(
      join(dir, 'run-under-mocks.js'),
      `const pulumi = require('@pulumi/pulumi');
const seen = [];
pulumi.runtime.setMocks({
  newResource: (a) => {
    seen.push({ type: a.type, inputs: a.inputs });
    // The team's resource group and workspace: ARM-shaped names and ids, as Azure returns them.
    if (a.type === 'azure-native:resources:ResourceGroup')
      return { id: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/' + a.inputs.resourceGroupName, state: { ...a.inputs, name: a.inputs.resourceGroupName } };
    if (a.type === 'azure-native:operationalinsights:Workspace')
      return { id: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/' + a.inputs.resourceGroupName + '/providers/Microsoft.OperationalInsights/workspaces/' + a.inputs.workspaceName, state: { ...a.inputs, name: a.inputs.workspaceName } };
    return { id: a.name + '-id', state: { ...a.inputs, name: a.name } };
  },
  // The deployer's token RunbookContent publishes with: a placeholder, never a token.
  call: (a) => (a.token === 'azure-native:authorization:getClientToken' ? { token: 'not-a-token' } : { serviceSasToken: 'sv=mock&sig=mock' }),
}, 'platform-team-dr', 'dr', true).then(() => {
  require('./bin/index.js');
  // Registrations finish asynchronously: report once the count has been stable for 300 ms (at most 10 s).
  let last = -1, stable = 0, ticks = 0;
  const timer = setInterval(() => {
    stable = seen.length === last ? stable + 1 : 0;
    last = seen.length;
    if (stable >= 3 || ++ticks > 100) { clearInterval(timer); process.stdout.write(JSON.stringify(seen)); }
  }, 100);
});
`,
    );
    const seen = JSON.parse(run(process.execPath, ['run-under-mocks.js'], dir)) as {
      type: string;
      inputs: Record<string, unknown>;
    }[];
    const of = (type: string) => seen.filter((s) => s.type === type).map((s) => s.inputs);
    expect(of('azure-native:recoveryservices:Vault').map((v) => v.vaultName)).toEqual([
      'rsv-payments-dr-northeurope',
      'rsv-crm-dr-westus3',
    ]);
    expect(of('azure-native:recoveryservices:ReplicationProtectionContainerMapping')).toHaveLength(4);
    // The resource group and workspace created in the same program reach the vault as resolved values.
    expect(of('azure-native:recoveryservices:Vault').map((v) => v.resourceGroupName)).toEqual([
      'rg-payments-dr',
      'rg-crm-dr',
    ]);
    expect(of('azure-native:monitor:DiagnosticSetting').map((d) => d.workspaceId)).toEqual([
      expect.stringMatching(/\/workspaces\/law-payments-dr$/),
      expect.stringMatching(/\/workspaces\/law-crm-dr$/),
    ]);
    expect(seen.some((s) => s.type === 'asr-mobility-autoupdate:scenarios:A2AMobilityAutoUpdate')).toBe(true);
  }, 300_000);
});
