// Runs one equivalence check of checks.mjs in its own process (argv[2]: JSON { fn, args }) and
// prints its result: a check instantiates large snapshots (Ruby's are 33 MB), and a crash there
// must not take the benchmark down with it.

import { checkComponents, checkFixture, checkLua, checkRuby, checkStarlingMonkey } from './checks.mjs';

const CHECKS = { checkComponents, checkFixture, checkLua, checkRuby, checkStarlingMonkey };

process.removeAllListeners('warning');
const { fn, args } = JSON.parse(process.argv[2]);
process.stdout.write(`${await CHECKS[fn](...args)}\n`);
