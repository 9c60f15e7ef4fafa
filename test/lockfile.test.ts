import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The guard that .ci/run also runs before `npm ci`: a lockfile entry without a version made
// `npm ci` stop with "Invalid Version:" on every clean machine while a warm cache hid it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { lockfileProblems } = require('../scripts/check-lockfile.cjs') as {
  lockfileProblems: (lock: unknown) => string[];
};

const root = join(__dirname, '..');

describe('package-lock.json', () => {
  it('has a version and an integrity on every installable entry', () => {
    const lock: unknown = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
    expect(lockfileProblems(lock)).toEqual([]);
  });

  it('fails when an optional platform build is a placeholder without a version', () => {
    // The shape the old hand-written placeholders had (25 such entries broke npm ci).
    const lock = {
      lockfileVersion: 3,
      packages: {
        '': { name: 'x' },
        'node_modules/@swc/core': { version: '1.16.22', integrity: 'sha512-a' },
        'node_modules/@swc/core/node_modules/@swc/core-darwin-arm64': { optional: true },
      },
    };
    expect(lockfileProblems(lock)).toEqual([
      'node_modules/@swc/core/node_modules/@swc/core-darwin-arm64: no version, no integrity (npm ci on an empty cache cannot install it)',
    ]);
  });

  it('fails when an entry has a version but no integrity', () => {
    const lock = { lockfileVersion: 3, packages: { 'node_modules/a': { version: '1.0.0' } } };
    expect(lockfileProblems(lock)).toEqual([
      'node_modules/a: no integrity (npm ci on an empty cache cannot install it)',
    ]);
  });

  it('accepts links and bundled dependencies, which npm does not fetch on their own', () => {
    const lock = {
      lockfileVersion: 3,
      packages: {
        'node_modules/a': { version: '1.0.0', integrity: 'sha512-a' },
        'node_modules/a/node_modules/b': { version: '2.0.0', inBundle: true },
        'node_modules/c': { resolved: 'packages/c', link: true },
      },
    };
    expect(lockfileProblems(lock)).toEqual([]);
  });

  it('fails when the file is not a lockfile npm 7+ wrote', () => {
    expect(lockfileProblems([])).toEqual(['the lockfile is not a JSON object']);
    expect(lockfileProblems({ lockfileVersion: 1 })).toEqual([
      'lockfileVersion is 1; npm 7+ writes 2 or 3',
      'the lockfile has no "packages" map',
    ]);
  });
});
