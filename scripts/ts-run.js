// Runs a TypeScript entry point through @swc/core's transform (types are checked by `npm run typecheck`, not here).
// Terraform apps run in one of two flavours (scripts/flavours.cjs): cdktf as written, or cdktn, where
// this loader maps the module specifiers as the cdktn build does. The flavour is ASR_TERRAFORM_FLAVOUR,
// else the CLI that launched the app (`cdktn synth` / `cdktf synth`), else cdktf.
// Transforms are cached on disk, keyed by a SHA-256 of the source, its path, the transform options and the
// @swc/core version: an unchanged file skips @swc/core entirely (loading it and transforming cost more than
// the rest of a synth's own work). ASR_TS_RUN_CACHE=0 turns the cache off; ASR_TS_RUN_CACHE_DIR moves it.
'use strict';
const Module = require('node:module');
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { reportEntryPointError } = require('./report-error.js');
const { mapSpecifier, parentCommandLines, selectFlavour } = require('./flavours.cjs');

const swcOptions = (filename) => ({
  filename,
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
});
const cacheOn = process.env.ASR_TS_RUN_CACHE !== '0';
const cacheDir = resolve(
  process.env.ASR_TS_RUN_CACHE_DIR || join(__dirname, '..', 'node_modules', '.cache', 'asr-ts-run'),
);
let swcVersion;

function transform(source, filename) {
  return require('@swc/core').transformSync(source, swcOptions(filename)).code;
}

function cachedTransform(source, filename) {
  swcVersion ??= require('@swc/core/package.json').version;
  const key = createHash('sha256')
    .update(`${swcVersion}\0${JSON.stringify(swcOptions(filename))}\0${source}`)
    .digest('hex');
  const file = join(cacheDir, `${key}.js`);
  try {
    return readFileSync(file, 'utf8');
  } catch {
    // not cached yet
  }
  const code = transform(source, filename);
  try {
    // Written whole, then renamed: a concurrent run reads either nothing or the complete file.
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, file);
  } catch {
    // A read-only or full disk only costs the next run a transform.
  }
  return code;
}

require.extensions['.ts'] = (module, filename) => {
  const source = readFileSync(filename, 'utf8');
  module._compile(cacheOn ? cachedTransform(source, filename) : transform(source, filename), filename);
};

const entry = process.argv[2];
if (!entry) {
  console.error('usage: node scripts/ts-run.js <file.ts> [args...]');
  process.exit(2);
}

let flavour;
try {
  flavour = selectFlavour(process.env, process.env.ASR_TERRAFORM_FLAVOUR ? [] : parentCommandLines());
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(2);
}
process.env.ASR_TERRAFORM_FLAVOUR = flavour;
if (flavour !== 'cdktf') {
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return resolveFilename.call(this, mapSpecifier(request, flavour) ?? request, ...rest);
  };
}

process.argv.splice(1, 1);
// A configuration mistake prints its message (no stack, no object dump) and exits 1; a bug keeps its stack.
const fail = (e) => process.exit(reportEntryPointError(e));
let main;
try {
  main = require(resolve(entry));
} catch (e) {
  fail(e);
}
if (typeof main.main === 'function') {
  new Promise((ok) => ok(main.main(process.argv.slice(2)))).catch(fail);
}
