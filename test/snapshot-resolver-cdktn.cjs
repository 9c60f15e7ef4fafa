// Snapshots of the cdktn jest project: test/cdktn/__snapshots__/<test file>.snap (see snapshot-resolver.cjs).
'use strict';
const { basename, join } = require('node:path');
const cdktf = require('./snapshot-resolver.cjs');

module.exports = {
  resolveSnapshotPath: (testPath, ext) => join(__dirname, 'cdktn', '__snapshots__', basename(testPath) + ext),
  resolveTestPath: cdktf.resolveTestPath,
  testPathForConsistencyCheck: cdktf.testPathForConsistencyCheck,
};
