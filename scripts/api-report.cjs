// The public API record: API Extractor's report (api/<entry>.api.md, signatures included) of each
// entry point's declarations in dist/ (`npm run build` first). `npm run api` builds and rewrites the
// reports; test/package/pack-and-install.test.ts checks them against the dist/ that `npm pack` built,
// so a changed signature, a removed export or a TSDoc error fails the suite until the report is
// regenerated and the diff reviewed.
// Usage: node scripts/api-report.cjs [--local]   (--local: write changed reports instead of failing)
'use strict';
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
/** The package's entry points with a declaration file (package.json "exports"; "." is "./domain"). */
const ENTRY_POINTS = ['domain', 'cdktf', 'cdktn', 'pulumi'];

/**
 * Runs API Extractor on each entry point. Returns one line per problem (an error or warning, or a
 * report that differs from the committed one); an empty list means the reports are current.
 * @param {{ local?: boolean }} [options] local: write the reports that changed (what `npm run api` does)
 * @returns {string[]}
 */
function apiReportProblems({ local = false } = {}) {
  const { Extractor, ExtractorConfig } = require('@microsoft/api-extractor');
  const temp = mkdtempSync(join(tmpdir(), 'asr-api-'));
  const problems = [];
  try {
    for (const entry of ENTRY_POINTS) {
      const config = ExtractorConfig.prepare({
        configObject: {
          projectFolder: root,
          mainEntryPointFilePath: `<projectFolder>/dist/${entry}/index.d.ts`,
          newlineKind: 'lf',
          bundledPackages: [],
          compiler: {
            // The consumer's view: Node's CommonJS resolution with the exports maps of the engines.
            overrideTsconfig: {
              compilerOptions: {
                target: 'es2022',
                module: 'node16',
                moduleResolution: 'node16',
                strict: true,
                skipLibCheck: true,
                types: ['node'],
              },
              files: [`dist/${entry}/index.d.ts`],
            },
          },
          apiReport: {
            enabled: true,
            reportFileName: entry,
            reportFolder: '<projectFolder>/api/',
            reportTempFolder: temp,
          },
          docModel: { enabled: false },
          dtsRollup: { enabled: false },
          tsdocMetadata: { enabled: false },
          messages: {
            compilerMessageReporting: { default: { logLevel: 'error' } },
            extractorMessageReporting: {
              default: { logLevel: 'error' },
              // Release tags (@public, @beta, ...) stage an API across releases; this package has
              // one stage: everything an entry point exports is public, and semver says so.
              'ae-missing-release-tag': { logLevel: 'none' },
              // API Extractor sees one package: the props and spec types an adapter's classes use are
              // declared in constructs/domain and exported by the `domain` entry point, not re-exported
              // by each adapter. The report records each such type (a `// Warning:` line), so a change
              // shows in its diff; it is not an error.
              'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: true },
              // Off as in API Extractor's defaults (opt-in): members without a comment are marked
              // `// (undocumented)` in the reports instead.
              'ae-undocumented': { logLevel: 'none' },
            },
            // TSDoc syntax findings are fixed in the comments, never silenced.
            tsdocMessageReporting: { default: { logLevel: 'error' } },
          },
        },
        configObjectFullPath: undefined,
        packageJsonFullPath: join(root, 'package.json'),
      });
      const result = Extractor.invoke(config, {
        localBuild: local,
        messageCallback: (message) => {
          if (message.logLevel === 'error' || message.logLevel === 'warning') {
            const where = message.sourceFilePath
              ? `${message.sourceFilePath.replace(`${root}/`, '')}:${message.sourceFileLine}: `
              : '';
            // A changed report is reported once, below (the temporary copy it names is deleted).
            if (!/^console-api-report-(changed|not-copied)$/.test(message.messageId))
              problems.push(`${entry}: ${where}(${message.messageId}) ${message.text}`);
          }
          message.handled = true;
        },
      });
      if (result.apiReportChanged && !local)
        problems.push(
          `${entry}: api/${entry}.api.md is not what API Extractor reports for dist/${entry}; run \`npm run api\` and review the diff`,
        );
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return problems;
}

module.exports = { ENTRY_POINTS, apiReportProblems };

if (require.main === module) {
  const problems = apiReportProblems({ local: process.argv.includes('--local') });
  for (const p of problems) console.error(p);
  process.exitCode = problems.length > 0 ? 1 : 0;
}
