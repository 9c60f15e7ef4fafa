// Guards package-lock.json against entries a clean machine cannot install.
// `npm ci` on an empty cache stops with "Invalid Version:" when an installable entry has no
// version (placeholders once written by hand for optional platform builds did exactly that, and a
// warm cache hid it). Every entry that npm would fetch must carry a version and an integrity (this registry setup writes no resolved URLs).
// Usage: node scripts/check-lockfile.cjs [path/to/package-lock.json]
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/**
 * Lists what is wrong with a parsed lockfile (lockfileVersion 2 or 3), one line per problem,
 * naming the entry. An empty list means a clean machine can install it.
 * @param {unknown} lock
 * @returns {string[]}
 */
function lockfileProblems(lock) {
  if (lock === null || typeof lock !== 'object' || Array.isArray(lock)) {
    return ['the lockfile is not a JSON object'];
  }
  const problems = [];
  if (lock.lockfileVersion !== 2 && lock.lockfileVersion !== 3) {
    problems.push(`lockfileVersion is ${JSON.stringify(lock.lockfileVersion)}; npm 7+ writes 2 or 3`);
  }
  const packages = lock.packages;
  if (packages === null || typeof packages !== 'object' || Array.isArray(packages)) {
    problems.push('the lockfile has no "packages" map');
    return problems;
  }
  for (const [location, entry] of Object.entries(packages)) {
    if (location === '') continue; // the project itself
    if (entry === null || typeof entry !== 'object') {
      problems.push(`${location}: the entry is not an object`);
      continue;
    }
    if (entry.link === true) continue; // a symlink to a workspace or file: dependency
    if (entry.inBundle === true) continue; // shipped inside its parent's tarball
    const missing = ['version', 'integrity'].filter(
      (field) => typeof entry[field] !== 'string' || entry[field] === '',
    );
    if (missing.length > 0) {
      problems.push(`${location}: no ${missing.join(', no ')} (npm ci on an empty cache cannot install it)`);
    }
  }
  return problems;
}

module.exports = { lockfileProblems };

if (require.main === module) {
  const path = process.argv[2] ?? join(__dirname, '..', 'package-lock.json');
  const problems = lockfileProblems(JSON.parse(readFileSync(path, 'utf8')));
  if (problems.length > 0) {
    process.stderr.write(
      `${path}: ${problems.length} entr${problems.length === 1 ? 'y' : 'ies'} a clean machine cannot install:\n` +
        problems.map((p) => `  ${p}`).join('\n') +
        '\nRegenerate the lockfile with npm itself (rm -rf node_modules package-lock.json && npm install), never by hand.\n',
    );
    process.exit(1);
  }
  process.stdout.write(`${path}: every installable entry has a version and an integrity\n`);
}
