import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// package.json's engines and the README must say exactly which Node.js versions CI tests.
const root = join(__dirname, '..');
const tested = readFileSync(join(root, '.ci', 'node-versions'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
const readme = readFileSync(join(root, 'README.md'), 'utf8');

describe('tested Node.js versions', () => {
  it('pins exact versions, one per supported line', () => {
    expect(tested.length).toBeGreaterThan(0);
    for (const v of tested) expect(v).toMatch(/^\d+\.\d+\.\d+$/);
    const majors = tested.map((v) => v.split('.')[0]);
    expect(new Set(majors).size).toBe(majors.length);
  });

  it('declares exactly the tested lines in engines.node', () => {
    const lines = pkg.engines.node.split('||').map((r) => r.trim());
    const declaredMajors = lines.map((r) => /^\^(\d+)\.\d+\.\d+$/.exec(r)?.[1]);
    expect(declaredMajors).toEqual(tested.map((v) => v.split('.')[0]));
    // Each pinned version satisfies its caret range (same major, not below the range's minimum).
    lines.forEach((range, i) => {
      const [, maj, min, pat] = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range)!.map(Number);
      const [vmaj, vmin, vpat] = tested[i]!.split('.').map(Number);
      expect(vmaj).toBe(maj);
      expect(vmin! * 1e6 + vpat!).toBeGreaterThanOrEqual(min! * 1e6 + pat!);
    });
  });

  it('names the tested versions and the engines range in the README', () => {
    expect(readme).toContain(pkg.engines.node);
    for (const v of tested) expect(readme).toContain(v);
  });
});
