// Preloaded into every benchmarked process (node -r): on exit, writes this process's peak RSS.
'use strict';
const { appendFileSync } = require('node:fs');
const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    appendFileSync(file, `${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS })}\n`);
  });
}
