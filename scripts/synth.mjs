// `npm run synth`: synthesizes every scenario for every engine from the example configuration,
// offline, and says where the output went. Extra arguments are not accepted: configure through
// cdktf.json's context or the ASR_* environment variables (README, Configuration).
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const outdir = resolve(root, process.env.CDKTF_OUTDIR ?? 'cdktf.out');
const cdktfJson = JSON.parse(readFileSync(join(root, 'cdktf.json'), 'utf8'));

const env = {
  ...process.env,
  CHECKPOINT_DISABLE: '1',
  CDKTF_OUTDIR: outdir,
  CDKTF_CONTEXT_JSON: JSON.stringify(cdktfJson.context ?? {}),
};

const started = Date.now();
try {
  execFileSync(
    process.execPath,
    [join(root, 'scripts', 'ts-run.js'), join(root, 'stacks', 'cdktf', 'main.ts')],
    { env, stdio: 'inherit', cwd: root },
  );
} catch {
  console.error('\ncdktf synthesis failed (see the error above); nothing new was written.');
  process.exit(1);
}

const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
console.log(
  `CDK for Terraform (azurerm), synthesized offline in ${((Date.now() - started) / 1000).toFixed(1)} s:`,
);
for (const [name, stack] of Object.entries(manifest.stacks)) {
  const file = join(outdir, stack.synthesizedStackPath);
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const count = Object.values(doc.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
  console.log(
    `  ${name.padEnd(8)} ${relative(process.cwd(), file)}  (${count} resources, ${statSync(file).size} bytes)`,
  );
  for (const a of stack.annotations ?? [])
    console.log(`           ${a.level}: ${a.constructPath}: ${a.message}`);
}
console.log(`  deploy with: npx cdktf deploy <stack>   (${readdirSync(join(outdir, 'stacks')).join(', ')})`);
