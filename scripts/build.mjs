// `npm run build`: compiles constructs/ to dist/ (CommonJS + declarations) and ships the runbook beside it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
  cwd: root,
});
mkdirSync(join(root, 'dist', 'runbooks'), { recursive: true });
for (const f of readdirSync(join(root, 'constructs', 'runbooks')).filter((f) => f.endsWith('.ps1'))) {
  copyFileSync(join(root, 'constructs', 'runbooks', f), join(root, 'dist', 'runbooks', f));
}
console.log('built dist/ (domain, cdktf, pulumi, runbooks)');
