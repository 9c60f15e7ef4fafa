// `npm run build`: compiles constructs/ to dist/ (CommonJS + declarations) and ships the runbook beside it.
// Also the prepack script: everything it prints goes to stderr, so `npm pack --json` and
// `npm publish --json` keep a standard output that is only their JSON.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  // tsc reports on stdout: send that to stderr too.
  stdio: ['ignore', process.stderr, process.stderr],
  cwd: root,
});
mkdirSync(join(root, 'dist', 'runbooks'), { recursive: true });
for (const f of readdirSync(join(root, 'constructs', 'runbooks')).filter((f) => f.endsWith('.ps1'))) {
  copyFileSync(join(root, 'constructs', 'runbooks', f), join(root, 'dist', 'runbooks', f));
}
console.error('built dist/ (domain, cdktf, pulumi, runbooks)');
