/**
 * The result of clock.c under node:wasi as a correct host would print it, when the only failure
 * was a 10 ms sleep that node:wasi's millisecond timers woke a little early; otherwise `r` itself.
 */
export declare function withNodeWasiSleepFixed<T extends { stdout: string; exitCode: number }>(r: T): T;
