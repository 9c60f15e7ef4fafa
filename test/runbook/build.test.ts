import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runbookAsset, runbookPath } from '../../constructs/domain/internal';

// scripts/runbook-build.cjs is CommonJS shared with scripts/build.mjs.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const build = require('../../scripts/runbook-build.cjs') as {
  RUNBOOK_SOURCES: readonly string[];
  buildRunbook(root: string): string;
};

const root = join(__dirname, '..', '..');
const sources = join(root, 'constructs', 'runbooks', 'src');

describe('the shipped runbook is the build of its sources', () => {
  it('is byte for byte the concatenation of constructs/runbooks/src (npm run build rewrites it)', () => {
    const shipped = readFileSync(runbookPath());
    expect(shipped.equals(Buffer.from(build.buildRunbook(root), 'utf8'))).toBe(true);
  });

  it('is what the runbook asset (content hash, both engines) reads', () => {
    expect(runbookAsset().content).toBe(build.buildRunbook(root));
  });

  it('builds every source file, each once, and no other', () => {
    const onDisk = readdirSync(sources)
      .filter((f) => f.endsWith('.ps1'))
      .sort();
    expect([...build.RUNBOOK_SOURCES].sort()).toEqual(onDisk);
    expect(new Set(build.RUNBOOK_SOURCES).size).toBe(build.RUNBOOK_SOURCES.length);
  });

  it('starts with the help and parameters (header.ps1) and ends with the main (main.ps1)', () => {
    expect(build.RUNBOOK_SOURCES[0]).toBe('header.ps1');
    expect(build.RUNBOOK_SOURCES.at(-1)).toBe('main.ps1');
  });
});
