// Runs one pre-initializer as a child process and measures it: wall time (taken here, around the
// spawn), peak RSS and CPU time (from GNU time's `-v` report, written to a file so the tool's own
// stderr stays clean), exit status, stderr and output size. Without /usr/bin/time, a Node tool runs
// under a small wrapper that reports its own `process.resourceUsage()`, and a native tool's peak
// RSS is sampled from /proc/<pid>/status (VmHWM) while it runs.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const GNU_TIME = '/usr/bin/time';
// PREINIT_BENCH_NO_GNU_TIME=1 forces the fallback (to try it on a machine that has GNU time).
export const HAVE_GNU_TIME = existsSync(GNU_TIME) && process.env.PREINIT_BENCH_NO_GNU_TIME !== '1';
const WRAPPER = fileURLToPath(new URL('./rss-wrapper.mjs', import.meta.url));

/**
 * @typedef {object} Run
 * @property {string} command  executable (for a Node tool: process.execPath)
 * @property {string[]} args
 * @property {boolean} node    whether `command` is Node running a script (args[0])
 * @property {string} output   the file the tool writes (-o)
 * @property {string} cwd
 * @property {NodeJS.ProcessEnv} env
 * @property {string} [stdin]
 */

/**
 * @param {Run} run
 * @param {string} scratch a directory for the time report
 * @returns {Promise<{ ok: boolean, status: number | null, wallS: number, cpuS: number | undefined, rssMB: number | undefined, outBytes: number | undefined, stderr: string }>}
 */
export async function measure(run, scratch) {
  rmSync(run.output, { force: true });
  const report = join(scratch, `time-${process.pid}.txt`);
  rmSync(report, { force: true });
  let command = run.command;
  let args = run.args;
  if (HAVE_GNU_TIME) {
    command = GNU_TIME;
    args = ['-v', '-o', report, run.command, ...run.args];
  } else if (run.node) {
    args = [WRAPPER, report, ...run.args];
  }
  const t0 = performance.now();
  const child = spawn(command, args, { cwd: run.cwd, env: run.env, stdio: ['pipe', 'ignore', 'pipe'] });
  let sampled = 0;
  const sampler =
    !HAVE_GNU_TIME && !run.node
      ? setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (m) sampled = Math.max(sampled, Number(m[1]));
          } catch {}
        }, 10)
      : undefined;
  const chunks = [];
  child.stderr.on('data', (c) => chunks.push(c));
  child.stdin.on('error', () => {});
  child.stdin.end(run.stdin ?? '');
  const status = await new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => done(code));
  });
  const wallS = (performance.now() - t0) / 1000;
  if (sampler) clearInterval(sampler);
  let rssMB;
  let cpuS;
  if (existsSync(report)) {
    const text = readFileSync(report, 'utf8');
    const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
    if (rss) rssMB = Number(rss[1]) / 1024;
    const user = /User time \(seconds\): ([\d.]+)/.exec(text);
    const sys = /System time \(seconds\): ([\d.]+)/.exec(text);
    if (user && sys) cpuS = Number(user[1]) + Number(sys[1]);
    rmSync(report, { force: true });
  } else if (sampled > 0) rssMB = sampled / 1024;
  const outBytes = status === 0 && existsSync(run.output) ? statSync(run.output).size : undefined;
  return {
    ok: status === 0 && outBytes !== undefined,
    status,
    wallS,
    cpuS,
    rssMB,
    outBytes,
    stderr: Buffer.concat(chunks).toString('utf8'),
  };
}
