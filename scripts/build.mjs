// `npm run build`: compiles constructs/ to dist/ (CommonJS + declarations), ships the runbook beside it,
// and emits the CDK Terrain flavour: dist/cdktn is dist/cdktf with its module specifiers mapped
// (scripts/flavours.cjs) and flavour.cdktn in place of the flavour module. The build fails if either
// Terraform flavour still names a package of the other.
// Also the prepack script: everything it prints goes to stderr, so `npm pack --json` and
// `npm publish --json` keep a standard output that is only their JSON.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { isForeign, moduleSpecifiers, rewriteSpecifiers } = require('./flavours.cjs');
const { writeRunbook } = require('./runbook-build.cjs');
const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const dist = join(root, 'dist');
// TypeScript 7, the native compiler (package.json aliases it as @typescript/native; `typescript` is the
// TypeScript 6 compiler API that typescript-eslint and the docs test load). Its exports map hides bin/.
const tsc = join(dirname(require.resolve('@typescript/native/package.json')), 'bin', 'tsc');
// The runbook first: constructs/runbooks/Set-AsrMobilityAutoUpdate.ps1 is built from constructs/runbooks/src/.
if (writeRunbook(root))
  console.error('rebuilt constructs/runbooks/Set-AsrMobilityAutoUpdate.ps1 from its sources');
rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  // tsc reports on stdout: send that to stderr too.
  stdio: ['ignore', process.stderr, process.stderr],
  cwd: root,
});
mkdirSync(join(dist, 'runbooks'), { recursive: true });
for (const f of readdirSync(join(root, 'constructs', 'runbooks')).filter((f) => f.endsWith('.ps1'))) {
  copyFileSync(join(root, 'constructs', 'runbooks', f), join(dist, 'runbooks', f));
}

// CDK Terrain: the same compiled adapter with its specifiers mapped, so `./flavour` becomes `./flavour.cdktn`.
// Each flavour ships only its own flavour module.
const cdktf = join(dist, 'cdktf');
const cdktn = join(dist, 'cdktn');
mkdirSync(cdktn);
for (const f of readdirSync(cdktf).filter((f) => /\.(js|d\.ts)$/.test(f))) {
  if (/^flavour\.(js|d\.ts)$/.test(f)) continue;
  writeFileSync(join(cdktn, f), rewriteSpecifiers(readFileSync(join(cdktf, f), 'utf8'), 'cdktn'));
  if (f.startsWith('flavour.cdktn.')) rmSync(join(cdktf, f));
}
for (const flavour of ['cdktf', 'cdktn']) {
  for (const f of readdirSync(join(dist, flavour))) {
    const bad = moduleSpecifiers(readFileSync(join(dist, flavour, f), 'utf8')).find((s) =>
      isForeign(s, flavour),
    );
    if (bad) throw new Error(`dist/${flavour}/${f} imports ${bad}, a module of the other flavour`);
  }
}
console.error('built dist/ (domain, cdktf, cdktn, pulumi, runbooks)');
