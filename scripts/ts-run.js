// Runs a TypeScript entry point through @swc/core's transform (types are checked by `npm run typecheck`, not here).
'use strict';
const { transformSync } = require('@swc/core');
const { readFileSync } = require('node:fs');
const { resolve } = require('node:path');

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
const main = require(resolve(entry));
if (typeof main.main === 'function') {
  Promise.resolve(main.main(process.argv.slice(2))).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
