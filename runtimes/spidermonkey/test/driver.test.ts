// The driver's rule for stdin, on its own source: the host reads a run's stdin before main starts
// only for a main that can reach it, so an app that never reads stdin never waits on it.
import { describe, expect, it } from 'vitest';
import { DRIVER_SOURCE } from '../src/index.js';

// The driver's functions, evaluated as the engine's initializer global would (Node's
// Function.prototype.toString gives the source text as SpiderMonkey's does).
const reachesStdin = new Function('$bindings', 'contentGlobal', `${DRIVER_SOURCE}\nreturn reachesStdin;`)(
  [{}, undefined, undefined],
  globalThis,
) as (fn: unknown) => boolean;

/** `main` as an app's JavaScript source declares it. */
const takes = (source: string): boolean => reachesStdin(new Function(`return (${source});`)());

describe("the driver's stdin rule", () => {
  it('main without a parameter, or destructuring one without stdin, does not take stdin', () => {
    expect(takes('function main() {}')).toBe(false);
    expect(takes('async () => 0')).toBe(false);
    expect(takes('({ args, env }) => [args, env]')).toBe(false);
    expect(takes('async function main({ args, env: { HOME } }) { return args.length; }')).toBe(false);
  });

  it('main that names stdin, takes the whole input, a rest element or anything unclear takes it', () => {
    expect(takes('async function main({ args, stdin }) {}')).toBe(true);
    expect(takes('function main(input) { return input.stdin; }')).toBe(true);
    expect(takes('input => input')).toBe(true);
    expect(takes('async input => input')).toBe(true);
    expect(takes('({ args, ...rest }) => rest')).toBe(true);
    expect(takes('function main({ args }) {}.bind(null)')).toBe(true);
  });
});
