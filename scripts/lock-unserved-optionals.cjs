// The registry this project is built from serves the Linux binaries of packages such as @swc/core
// and unrs-resolver, but not their other-platform optional siblings. `npm install` then writes a
// lock file without them, and `npm ci` rejects it ("Missing: ...@ from lock file"), because npm's
// ideal tree still holds an empty placeholder for each unresolvable optional dependency.
// This script records those placeholders in package-lock.json so `npm ci` accepts the lock; they
// are optional and never installed. Run it after `npm install` changes the lock:
//   node scripts/lock-unserved-optionals.cjs
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { join, dirname } = require('node:path');
const { execFileSync } = require('node:child_process');

const npmRoot = dirname(
  dirname(require('node:fs').realpathSync(execFileSync('which', ['npm'], { encoding: 'utf8' }).trim())),
);
const Arborist = require(join(npmRoot, 'node_modules', '@npmcli', 'arborist'));

(async () => {
  const root = join(__dirname, '..');
  const lockPath = join(root, 'package-lock.json');
  const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
  const arb = new Arborist({ path: root, packageLock: true, save: false });
  await arb.buildIdealTree();
  const added = [];
  for (const node of arb.idealTree.inventory.values()) {
    if (node.isRoot || node.version || lock.packages[node.location]) continue;
    if (!node.optional)
      throw new Error(
        `${node.location} has no version and is not optional: a real dependency is missing from the registry`,
      );
    lock.packages[node.location] = { dev: node.dev || undefined, optional: true };
    added.push(node.location);
  }
  const sorted = Object.fromEntries(
    Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
  );
  writeFileSync(lockPath, `${JSON.stringify({ ...lock, packages: sorted }, null, 2)}\n`);
  console.log(
    added.length
      ? `recorded ${added.length} unserved optional dependencies:\n  ${added.join('\n  ')}`
      : 'nothing to record',
  );
})().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
