// Preloaded into every benchmarked process (node -r): on exit, writes this process's peak RSS.
'use strict';
const { appendFileSync } = require('node:fs');
const file = process.env.BENCH_RSS_FILE;
if (file) {
  // A process that replaces itself (process.execve, Node >= 22.15: TypeScript 7's bin/tsc does it to
  // start the native compiler) never reaches the exit hook. Refuse it, so such a program takes its
  // fallback (the compiler as a child process) and the measured process exits through Node; its
  // peak RSS is then the Node wrapper's, as on Node versions without execve.
  if (typeof process.execve === 'function') {
    process.execve = () => {
      throw new Error('bench: process.execve is refused while measuring');
    };
  }
  process.on('exit', () => {
    appendFileSync(file, `${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS })}\n`);
  });
}
