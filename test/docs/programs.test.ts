import { join } from 'node:path';
import { codeBlocks, documentationPages, isTypeScript, type CodeBlock } from './check-docs';
import { programKind, runProgram } from './run-programs';

/**
 * Every TypeScript program of README.md and docs/ runs as a reader would paste it (test/docs/run-programs.ts):
 * cdktf programs to their `app.synth()`, Pulumi programs under the offline preview, domain programs as
 * they are. This file runs in both jest projects: the cdktn project (CDK Terrain's module mapping)
 * runs the cdktn programs, the cdktf project all others.
 */
const root = join(__dirname, '..', '..');
const flavour = require.resolve('cdktf').includes(`${join('node_modules', 'cdktn')}`) ? 'cdktn' : 'cdktf';
const programs = documentationPages(root)
  .flatMap(codeBlocks)
  .filter(isTypeScript)
  .filter((b) => (programKind(b) === 'cdktn') === (flavour === 'cdktn'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = (specifier: string): unknown => require(specifier);

/** What a program reads from its environment, as the page tells the reader to set it. */
const ENV: Readonly<Record<string, Record<string, string>>> = {
  'docs/policy-rules.md': {
    ASR_A2A: JSON.stringify({
      vault: { name: 'rsv-payments-dr', resourceGroupName: 'rg-payments-dr', location: 'northeurope' },
      replication: { sourceRegion: 'westeurope', targetRegion: 'northeurope' },
    }),
  },
};

describe(`the documentation's programs (${flavour} project)`, () => {
  it('finds the programs of every engine this project runs', () => {
    const kinds = new Set(programs.map(programKind));
    expect([...kinds].sort()).toEqual(
      flavour === 'cdktn' ? ['cdktn'] : ['cdktf', 'domain', 'pulumi', 'pulumi-preview'],
    );
  });

  it.each(programs.map((b): [string, CodeBlock] => [`${b.page}:${b.line}`, b]))(
    'runs %s as pasted',
    async (_, block) => {
      const run = await runProgram(block, load, ENV[block.page]);
      if (run.kind === 'domain') return;
      expect(Object.values(run.counts).every((n) => n > 0)).toBe(true);
    },
  );
});

// The runner's own failures are engine-independent: the cdktf project checks them (the cdktn one would repeat them).
(flavour === 'cdktf' ? describe : describe.skip)('the documentation program runner', () => {
  /** A one-block page, as the documentation checks read it. */
  const block = (code: string[], lang = 'ts'): CodeBlock => ({
    page: 'docs/broken.md',
    lang,
    code: code.join('\n'),
    line: 12,
  });

  it('fails when a cdktf program has no provider for its resources (stack validation at app.synth())', async () => {
    const broken = block([
      "import { App, TerraformStack } from 'cdktf';",
      "import { A2AMobilityAutoUpdate } from 'asr-mobility-autoupdate/cdktf';",
      '',
      'const app = new App();',
      "const stack = new TerraformStack(app, 'dr');",
      "new A2AMobilityAutoUpdate(stack, 'payments', {",
      "  vault: { name: 'rsv-payments-dr', resourceGroupName: 'rg-payments-dr', location: 'northeurope' },",
      "  replication: { sourceRegion: 'westeurope', targetRegion: 'northeurope' },",
      '});',
      'app.synth();',
    ]);
    await expect(runProgram(broken, load)).rejects.toThrow(
      /^docs\/broken\.md:12 \(cdktf program\): Validation failed[\s\S]*Found resources without a matching provider construct/,
    );
  });

  it('fails when a cdktf program never synthesizes', async () => {
    const broken = block([
      "import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';",
      "import { App, TerraformStack } from 'cdktf';",
      'const app = new App();',
      "new AzurermProvider(new TerraformStack(app, 'dr'), 'azurerm', { features: [{}] });",
    ]);
    await expect(runProgram(broken, load)).rejects.toThrow(
      'docs/broken.md:12 (cdktf program): the program synthesized no stack (no app.synth()?)',
    );
  });

  it('fails when a Pulumi program is refused by a component, naming the prop', async () => {
    const broken = block([
      "import { A2AMobilityAutoUpdate } from 'asr-mobility-autoupdate/pulumi';",
      "new A2AMobilityAutoUpdate('payments', {",
      "  vault: { name: 'rsv-payments-dr', resourceGroupName: 'rg-payments-dr', location: 'northeurope' },",
      "  replication: { sourceRegion: 'westeurope', targetRegion: 'westeurope' },",
      '});',
    ]);
    await expect(runProgram(broken, load)).rejects.toThrow(
      /^docs\/broken\.md:12 \(pulumi program\): .*targetRegion/s,
    );
  });

  it('fails when a domain program prints something other than its comment says', async () => {
    const broken = block([
      "import { classifyAgent } from 'asr-mobility-autoupdate/domain';",
      'const verdict = classifyAgent(',
      "  { provider: 'A2A', agentVersion: '9.58.1.1', agentExpiryDate: '2027-12-20T00:00:00Z',",
      '    isReplicationAgentUpdateRequired: false, isReplicationAgentCertificateUpdateRequired: false },',
      "  { now: new Date('2026-11-30T02:00:00Z'), expiringWithinDays: 30 },",
      ');',
      'console.log(verdict.status); // OutOfSupport',
    ]);
    await expect(runProgram(broken, load)).rejects.toThrow(
      /^docs\/broken\.md:12 \(domain program\): printed \["Current"\]; its comments say \["OutOfSupport"\]/,
    );
  });

  it('fails when a self-checking Pulumi program (previewOffline) finds what it does not expect', async () => {
    const broken = block([
      "import { strict as assert } from 'node:assert';",
      "import { RecoveryVault, previewOffline } from 'asr-mobility-autoupdate/pulumi';",
      'export const checked = previewOffline(() => {',
      "  new RecoveryVault('v', { name: 'rsv-a', resourceGroupName: 'rg-a', location: 'northeurope' });",
      '}).then((p) => {',
      "  assert.deepEqual(p.resources.map((r) => r.inputs.vaultName).filter(Boolean), ['rsv-b']);",
      '});',
    ]);
    await expect(runProgram(broken, load)).rejects.toThrow(
      /^docs\/broken\.md:12 \(pulumi-preview program\): .*rsv-a/s,
    );
  });

  it('fails when a program throws', async () => {
    const broken = block([
      "import { resolveA2AScenario } from 'asr-mobility-autoupdate/domain';",
      'resolveA2AScenario({} as never);',
    ]);
    await expect(runProgram(broken, load)).rejects.toThrow(/^docs\/broken\.md:12 \(domain program\): /);
  });
});
