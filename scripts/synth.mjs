// `npm run synth`: synthesizes every scenario for every engine from the example configuration
// (cdktf.json context for the Terraform flavours cdktf and cdktn, Pulumi.<stack>.yaml for Pulumi),
// offline, and says where the output went. Extra arguments are not accepted: configure through
// cdktf.json's context or the ASR_* environment variables (docs/cdktf.md, Configuration).
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import reportError from './report-error.js';

// An error of this script itself: printed like every entry point's (a bug keeps its stack).
process.on('uncaughtException', (e) => process.exit(reportError.reportEntryPointError(e)));

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const cdktfJson = JSON.parse(readFileSync(join(root, 'cdktf.json'), 'utf8'));

const env = {
  ...process.env,
  CHECKPOINT_DISABLE: '1',
  CDKTF_CONTEXT_JSON: JSON.stringify(cdktfJson.context ?? {}),
};

/** The same Terraform app (stacks/cdktf/main.ts), in one flavour, into its own output folder. */
function synthTerraform(flavour, title, outdir) {
  const started = Date.now();
  try {
    execFileSync(
      process.execPath,
      [join(root, 'scripts', 'ts-run.js'), join(root, 'stacks', 'cdktf', 'main.ts')],
      { env: { ...env, CDKTF_OUTDIR: outdir, ASR_TERRAFORM_FLAVOUR: flavour }, stdio: 'inherit', cwd: root },
    );
  } catch {
    console.error(`\n${flavour} synthesis failed (see the error above); nothing new was written.`);
    process.exit(1);
  }
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
  console.log(`${title}, synthesized offline in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
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
  console.log(
    `  deploy with: npx ${flavour} deploy <stack>   (${readdirSync(join(outdir, 'stacks')).join(', ')})`,
  );
}

synthTerraform(
  'cdktf',
  'CDK for Terraform (azurerm)',
  resolve(root, process.env.CDKTF_OUTDIR ?? 'cdktf.out'),
);
synthTerraform('cdktn', 'CDK Terrain (azurerm)', resolve(root, process.env.CDKTN_OUTDIR ?? 'cdktn.out'));

// Pulumi: each example stack file, run under Pulumi's mock runtime (one process per stack: its runtime is global).
const pulumiOut = resolve(root, 'pulumi.out');
console.log(
  'Pulumi (azure-native), offline preview under mocks (nothing deployed; cloud values are placeholders):',
);
for (const stackFile of readdirSync(root)
  .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
  .sort()) {
  const stack = stackFile.replace(/^Pulumi\.|\.yaml$/g, '');
  try {
    execFileSync(
      process.execPath,
      [
        join(root, 'scripts', 'ts-run.js'),
        join(root, 'stacks', 'pulumi', 'offline.ts'),
        join(root, stackFile),
        join(pulumiOut, `${stack}.json`),
      ],
      { env, stdio: 'inherit', cwd: root },
    );
  } catch {
    console.error(`\nPulumi offline preview of ${stackFile} failed (see the error above).`);
    process.exit(1);
  }
}
console.log('  deploy with: pulumi stack select <stack> && pulumi up   (a2a, vmware, existing)');
