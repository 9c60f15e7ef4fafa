// Snapshots of the cdktf jest project: beside each test, in __snapshots__ (jest's default layout).
// The cdktn project (snapshot-resolver-cdktn.cjs) runs some of the same test files and keeps its
// snapshots in test/cdktn/__snapshots__; both projects map those back to the test file they belong
// to, so that neither reports (or, under `jest -u`, deletes) the other's snapshots as obsolete.
'use strict';
const { basename, dirname, join } = require('node:path');

const cdktnDir = join(__dirname, 'cdktn', '__snapshots__');

module.exports = {
  resolveSnapshotPath: (testPath, ext) => join(dirname(testPath), '__snapshots__', basename(testPath) + ext),
  resolveTestPath: (snapshotPath, ext) =>
    dirname(snapshotPath) === cdktnDir
      ? join(__dirname, 'cdktf', basename(snapshotPath, ext))
      : join(dirname(dirname(snapshotPath)), basename(snapshotPath, ext)),
  testPathForConsistencyCheck: join(__dirname, 'cdktf', 'example.test.ts'),
};
