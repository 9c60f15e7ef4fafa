// `npm run bench` is outside `npm test`, so a section that breaks (a moved compiler binary, a
// renamed export) would go unnoticed until the next measurement. This runs every section once at a
// tiny size (`--smoke`: one and two vaults, the runbook on ten mappings and two vaults), writing nothing.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

describe('npm run bench', () => {
  it('runs every section at a tiny size (--smoke) and writes nothing', () => {
    const r = spawnSync(
      process.execPath,
      [join(root, 'scripts', 'ts-run.js'), join(root, 'bench', 'run.ts'), '--smoke'],
      {
        cwd: root,
        env: { ...process.env, CHECKPOINT_DISABLE: '1' },
        encoding: 'utf8',
        timeout: 280_000,
      },
    );
    expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr.slice(-3000) }).toEqual({
      status: 0,
      stderr: '',
    });
    const sections = r.stdout
      .split('\n')
      .filter((l) => /^\d(-\d)?\. /.test(l))
      .map((l) => l.split('.')[0]);
    expect(sections).toEqual(['1-3', '1-3', '4', '5', '6', '7', '8']);
    expect(r.stdout).toMatch(/tsc: consumer via our constructs +wall \d+ ms/);
    expect(r.stdout).toMatch(/^smoke: every section ran$/m);
  }, 300_000);
});
