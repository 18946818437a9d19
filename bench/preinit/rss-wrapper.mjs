// Fallback used only when /usr/bin/time is absent: runs a Node script (argv[3]) in this process
// with the remaining arguments, then writes this process's peak RSS and CPU time in GNU time's
// `-v` format to argv[2], so measure.mjs parses one format.

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [report, script, ...rest] = process.argv.slice(2);
process.argv = [process.argv[0], resolve(script), ...rest];
process.on('exit', () => {
  const u = process.resourceUsage();
  writeFileSync(
    report,
    `User time (seconds): ${u.userCPUTime / 1e6}\nSystem time (seconds): ${u.systemCPUTime / 1e6}\nMaximum resident set size (kbytes): ${u.maxRSS}\n`,
  );
});
await import(pathToFileURL(resolve(script)).href);
