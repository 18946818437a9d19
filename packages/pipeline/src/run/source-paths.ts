// Guest paths of the app's own files (`/app/lib/cfg.lua`) shown as the user's source paths
// (`src/lib/cfg.lua`), in init errors at build time and in what a run writes to stderr. No Node
// built-in: the runner uses it in browsers too.

import type { DistManifest } from '../manifest.js';

/** A directory of the user's app and where the guest saw it. */
export interface SourceMount {
  /** The guest path (`/app`). */
  guest: string;
  /** The user's directory, `/`-separated, relative to the config's directory (`src`; `''` for it). */
  source: string;
  /** The app's files in it (`lib/cfg.lua`): only paths of these are rewritten. */
  files: readonly string[];
}

/** Characters after which a path can start (as well as at the start of a line). */
const BOUNDARY = /[\s"'(<@]/;
/** Characters that continue a file name: `/app/main.lua` is not the file of `/app/main.lua.bak`. */
const NAME_CHAR = /[\w.\-/]/;

/** Rewrites the guest paths of some mounts' files into source paths; see {@link sourcePathRewriter}. */
export interface SourcePaths {
  /** `text` with every guest path of the mounts' files rewritten. */
  rewrite(text: string): string;
  /** Whether `tail`, the end of a text so far, may still become a path `rewrite` changes. */
  mayStart(tail: string): boolean;
  /** Whether it rewrites anything at all. */
  readonly empty: boolean;
}

/**
 * Rewrites the guest paths of the files of `mounts` (`/app/lib/cfg.lua`) into the user's source
 * paths (`src/lib/cfg.lua`) where a path starts: at the start of a line, after a space, a quote,
 * `(`, `<` (Lua's `function <main.lua:2>`) or `@`. Only the mounts' own files are rewritten: a path
 * the guest made up (`/app/out.txt`, a search path) stays the guest's. A mount at `/` is left out.
 */
export function sourcePathRewriter(mounts: readonly SourceMount[]): SourcePaths {
  const rules = new Map(
    mounts
      .map((m) => ({ ...m, guest: m.guest.replace(/\/$/, '') }))
      .filter((m) => m.guest !== '' && m.files.length > 0)
      .map((m) => [
        m.guest,
        {
          to: m.source === '' ? '' : `${m.source}/`,
          // Longest first: `lib/a.lua.txt` before `lib/a.lua`.
          files: [...m.files].sort((a, b) => b.length - a.length),
        },
      ]),
  );
  const guests = [...rules.keys()].sort((a, b) => b.length - a.length);
  const pattern =
    guests.length === 0
      ? undefined
      : new RegExp(
          `(^|[\\s"'(<@])(${guests.map((g) => g.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})/`,
          'gm',
        );
  const fileAt = (text: string, at: number, files: readonly string[]): boolean =>
    files.some((f) => text.startsWith(f, at) && !NAME_CHAR.test(text[at + f.length] ?? ''));
  return {
    rewrite: (text) =>
      pattern === undefined
        ? text
        : text.replace(pattern, (match: string, before: string, guest: string, offset: number) => {
            const rule = rules.get(guest)!;
            return fileAt(text, offset + match.length, rule.files) ? before + rule.to : match;
          }),
    mayStart: (tail) =>
      guests.some((g) => {
        const prefix = `${g}/`;
        if (tail.length < prefix.length) return prefix.startsWith(tail);
        if (!tail.startsWith(prefix)) return false;
        const rest = tail.slice(prefix.length);
        return rules.get(g)!.files.some((f) => f.startsWith(rest));
      }),
    empty: guests.length === 0,
  };
}

/** The rewriter of a dist: the mounts of the app's own files, as its manifest records them (`source`). */
export function distSourcePaths(manifest: Pick<DistManifest, 'mounts'>): SourcePaths {
  return sourcePathRewriter(
    manifest.mounts.flatMap((m) =>
      m.source === undefined ? [] : [{ guest: m.guest, source: m.source, files: m.files.map((f) => f.path) }],
    ),
  );
}

/**
 * An output that rewrites guest paths on the way to `write`. What can be rewritten is passed on
 * at once; only a tail that may still become a path (`... /app/ma`) waits for the next chunk, or
 * for `end()`, which the caller must call when the run is over.
 */
export function sourcePathsOutput(
  paths: SourcePaths,
  write: (chunk: Uint8Array) => void,
): { write(chunk: Uint8Array): void; end(): void } {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let pending = '';
  /** The last character passed on: a path can start after it when it is a boundary. */
  let before = '\n';
  const emit = (text: string): void => {
    if (text === '') return;
    // The character before gives the rewrite its context; `x` keeps `^` off the string's start.
    const context = `x${before}`;
    write(encoder.encode(paths.rewrite(context + text).slice(context.length)));
    before = text.at(-1)!;
  };
  /** Where the tail of `text` that may still become a path starts (`text.length`: none). */
  const held = (text: string): number => {
    let start = text.length;
    while (start > 0 && !BOUNDARY.test(text[start - 1]!)) start--;
    if (start === text.length || (start === 0 && !BOUNDARY.test(before))) return text.length;
    return paths.mayStart(text.slice(start)) ? start : text.length;
  };
  return {
    write(chunk) {
      pending += decoder.decode(chunk, { stream: true });
      const at = held(pending);
      emit(pending.slice(0, at));
      pending = pending.slice(at);
    },
    end() {
      pending += decoder.decode();
      emit(pending);
      pending = '';
    },
  };
}
