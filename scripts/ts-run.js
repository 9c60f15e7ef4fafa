// Runs a TypeScript entry point through @swc/core's transform (types are checked by `npm run typecheck`, not here).
'use strict';
const { transformSync } = require('@swc/core');
const { readFileSync } = require('node:fs');
const { resolve } = require('node:path');
const { reportEntryPointError } = require('./report-error.js');

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
