import { join } from 'node:path';
import {
  anchors,
  brokenLinks,
  codeBlocks,
  compileBlocks,
  documentationPages,
  isTypeScript,
  links,
  slug,
  type Page,
} from './check-docs';

/**
 * The documentation is tested like code: every ```ts block of README.md and docs/ compiles, strict,
 * as a consumer's file importing the package's entry points, and every relative link and anchor of
 * those pages resolves.
 */
const root = join(__dirname, '..', '..');
const pages = documentationPages(root);
const blocks = pages.flatMap(codeBlocks);

describe('the documentation', () => {
  it('has a README of at most about 300 lines and a page per topic under docs/', () => {
    const readme = pages.find((p) => p.path === 'README.md')!;
    expect(readme.text.split('\n').length).toBeLessThanOrEqual(320);
    expect(pages.filter((p) => p.path.startsWith('docs/')).length).toBeGreaterThanOrEqual(10);
  });

  it('shows the two commands of the quick start in the README', () => {
    const readme = pages.find((p) => p.path === 'README.md')!;
    const bash = codeBlocks(readme).filter((b) => b.lang === 'bash');
    expect(bash.some((b) => /^npm ci && npm run synth\b/m.test(b.code) && /^npm test\b/m.test(b.code))).toBe(
      true,
    );
  });

  it('links every page under docs/ from the README', () => {
    const readme = pages.find((p) => p.path === 'README.md')!;
    const linked = new Set(links(readme).map((l) => l.target.split('#')[0]));
    expect(pages.filter((p) => p.path.startsWith('docs/') && !linked.has(p.path)).map((p) => p.path)).toEqual(
      [],
    );
  });

  it('compiles every TypeScript block as a consumer would import it', () => {
    const ts = blocks.filter(isTypeScript);
    // The examples of each engine and of the engine-neutral model are among them.
    for (const entry of ['cdktf', 'cdktn', 'pulumi', 'domain'])
      expect(ts.some((b) => b.code.includes(`from 'asr-mobility-autoupdate/${entry}'`))).toBe(true);
    expect(compileBlocks(root, ts)).toEqual([]);
  });

  it('resolves every relative link and anchor', () => {
    expect(links(pages.find((p) => p.path === 'README.md')!).length).toBeGreaterThan(10);
    expect(brokenLinks(root, pages)).toEqual([]);
  });
});

describe('the documentation checks', () => {
  const page = (path: string, text: string): Page => ({ path, text });

  it('fails when a block does not compile, naming the page and the line', () => {
    const broken = page(
      'docs/broken.md',
      [
        '# Broken',
        '',
        '```ts',
        "import { resolveA2AScenario } from 'asr-mobility-autoupdate/domain';",
        '',
        "const spec = resolveA2AScenario({ vault: { name: 'rsv', resourceGroupName: 'rg' } });",
        'const n: number = spec.vault.name;',
        '```',
        '',
        '```typescript',
        "import { NoSuchConstruct } from 'asr-mobility-autoupdate/cdktf';",
        '```',
        '',
        '```text',
        'not TypeScript: never compiled',
        '```',
      ].join('\n'),
    );
    const diagnostics = compileBlocks(root, codeBlocks(broken));
    expect(diagnostics).toEqual([
      expect.stringMatching(/^docs\/broken\.md:6:\d+ TS2741 Property 'location' is missing/),
      expect.stringMatching(/^docs\/broken\.md:7:7 TS2322 Type 'string' is not assignable to type 'number'/),
      expect.stringMatching(/^docs\/broken\.md:11:10 TS2305 .*has no exported member 'NoSuchConstruct'/),
    ]);
  });

  it('fails when a block is not strict-clean (implicit any) or imports a package that is not there', () => {
    const broken = page(
      'README.md',
      [
        '```ts',
        'export function f(x) {',
        '  return x;',
        '}',
        "import { App } from 'asr-mobility-autoupdate/terraform';",
        'new App();',
        '```',
      ].join('\n'),
    );
    expect(compileBlocks(root, codeBlocks(broken))).toEqual([
      expect.stringMatching(/^README\.md:2:19 TS7006 /),
      expect.stringMatching(/^README\.md:5:21 TS2307 .*asr-mobility-autoupdate\/terraform/),
    ]);
  });

  it('fails when a link points at a missing file or anchor, here or in another page', () => {
    const readme = page(
      'README.md',
      [
        '# Front door',
        '',
        '[fine](docs/guide.md#deploying-it) [fine too](#front-door) [a file](bench/fleet-scaling.svg)',
        '[missing page](docs/nowhere.md) [missing anchor](docs/guide.md#not-there)',
        '[missing here](#nope) [outside](https://example.com/#whatever)',
        '`[in code](docs/ignored.md)`',
        '',
        '```md',
        '[in a block](docs/ignored.md)',
        '```',
      ].join('\n'),
    );
    const guide = page(
      'docs/guide.md',
      ['# Guide', '', '## Deploying it', '', '[back](../README.md#nope-either)'].join('\n'),
    );
    expect(brokenLinks(root, [readme, guide])).toEqual([
      'README.md:4 docs/nowhere.md: no such file (docs/nowhere.md)',
      'README.md:4 docs/guide.md#not-there: no heading of docs/guide.md has the anchor #not-there',
      'README.md:5 #nope: no heading of README.md has the anchor #nope',
      'docs/guide.md:5 ../README.md#nope-either: no heading of README.md has the anchor #nope-either',
    ]);
  });

  it('slugs headings as GitHub does', () => {
    expect(slug('Already using Site Recovery? Attach to existing vaults')).toBe(
      'already-using-site-recovery-attach-to-existing-vaults',
    );
    expect(slug('References: composing with the rest of your stack')).toBe(
      'references-composing-with-the-rest-of-your-stack',
    );
    expect(slug('`automation.runtime`: the [PowerShell](x.md) runtime_environment')).toBe(
      'automationruntime-the-powershell-runtime_environment',
    );
    expect(slug('Drift and redeploys (CDK for Terraform)')).toBe('drift-and-redeploys-cdk-for-terraform');
    expect([...anchors(page('x.md', '# A\n## A\n```\n# not a heading\n```\n## A'))]).toEqual([
      'a',
      'a-1',
      'a-2',
    ]);
  });
});
