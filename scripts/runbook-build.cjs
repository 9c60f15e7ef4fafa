// The runbook is written as source files under constructs/runbooks/src/, one concern each, and built into
// the one script Azure Automation runs (constructs/runbooks/Set-AsrMobilityAutoUpdate.ps1, committed and
// shipped; the content hash and both engines' runbook content come from it). The build is a plain
// concatenation in the order below, each file ending with one newline and separated by one blank line, so
// a line of the built script is a line of a source. test/runbook/build.test.ts proves the committed file
// is exactly this build; `npm run build` (scripts/build.mjs) rewrites it.
'use strict';
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

/** The sources, in the order they are built: the script's help and parameters first, the main last. */
const RUNBOOK_SOURCES = [
  'header.ps1', // help, parameters, preferences, version
  'constants.ps1', // cloud facts, id patterns, limits
  'arm-client.ps1', // token, throttle budget, one request with retries, lists
  'mappings.ps1', // classify, update, follow, verify
  'agent-report.ps1', // the agents' verdicts
  'ingestion.ps1', // rows for Log Analytics
  'discovery.ps1', // Resource Graph
  'summary.ps1', // the one JSON document
  'input.ps1', // the parameters, validated and resolved
  'vault.ps1', // one vault's steps: open, outcome, report
  'engine.ps1', // one runspace pool for the job's work
  'main.ps1', // the short main
];

const RUNBOOK_FILE = 'Set-AsrMobilityAutoUpdate.ps1';

/** The built runbook's text from the sources under `<root>/constructs/runbooks/src`. */
function buildRunbook(root) {
  const dir = join(root, 'constructs', 'runbooks', 'src');
  return RUNBOOK_SOURCES.map((name) => {
    const text = readFileSync(join(dir, name), 'utf8');
    if (text.includes('\r'))
      throw new Error(`constructs/runbooks/src/${name}: CR line endings; the runbook is LF only`);
    if (!text.endsWith('\n') || text.endsWith('\n\n')) {
      throw new Error(`constructs/runbooks/src/${name}: must end with exactly one newline`);
    }
    return text;
  }).join('\n');
}

/** Writes the built runbook beside its sources; true when the file changed. */
function writeRunbook(root) {
  const path = join(root, 'constructs', 'runbooks', RUNBOOK_FILE);
  const built = buildRunbook(root);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : null;
  if (current === built) return false;
  writeFileSync(path, built);
  return true;
}

module.exports = { RUNBOOK_SOURCES, RUNBOOK_FILE, buildRunbook, writeRunbook };
