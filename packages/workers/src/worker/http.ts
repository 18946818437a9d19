/** The query parameter whose values, in order, are the app's arguments: `?arg=a&arg=b`. */
export const ARG_PARAM = 'arg';

/** The response header holding the app's exit code. */
export const EXIT_CODE_HEADER = 'x-exit-code';

/** The response header naming why the app ended without an exit code (`trap`, or an error code). */
export const ERROR_HEADER = 'x-wasm-runtime-error';

/** HTTP status of a run: 200 for exit code 0, 500 for any other ending. */
export function statusOf(exitCode: number | undefined): number {
  return exitCode === 0 ? 200 : 500;
}

/**
 * The app's arguments from a request URL: the values of every `arg` parameter, in order
 * (`?arg=Ada&arg=--verbose`). Any other parameter is a mistake worth saying (a `?args=` typo would
 * silently run the app with no arguments): the result is then the message for a 400.
 */
export function argsOf(url: URL): { args: string[] } | { problem: string } {
  for (const key of url.searchParams.keys()) {
    if (key !== ARG_PARAM) {
      return {
        problem: `unknown query parameter ${JSON.stringify(key)}: give the app's arguments as repeated ${ARG_PARAM} parameters (?${ARG_PARAM}=first&${ARG_PARAM}=second)`,
      };
    }
  }
  return { args: url.searchParams.getAll(ARG_PARAM) };
}
