// Runs a TypeScript entry point through @swc/core's transform (types are checked by `npm run typecheck`, not here).
// Terraform apps run in one of two flavours (scripts/flavours.cjs): cdktf as written, or cdktn, where
// this loader maps the module specifiers as the cdktn build does. The flavour is ASR_TERRAFORM_FLAVOUR,
// else the CLI that launched the app (`cdktn synth` / `cdktf synth`), else cdktf.
'use strict';
const Module = require('node:module');
const { transformSync } = require('@swc/core');
const { readFileSync } = require('node:fs');
const { resolve } = require('node:path');
const { reportEntryPointError } = require('./report-error.js');
const { mapSpecifier, parentCommandLines, selectFlavour } = require('./flavours.cjs');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
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
