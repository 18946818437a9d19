/**
 * Compiles a glob over `/`-separated relative paths to a RegExp. `*` matches within one path
 * segment, `?` one character of a segment, `**` any number of whole segments (`a/**` matches
 * everything under `a`, `**\/x` an `x` at any depth), `{a,b}` alternatives, `[abc]` a class.
 * A pattern without `/` also matches at any depth (`*.lua` = `**\/*.lua`), as in .gitignore.
 * Dotfiles are matched like any file.
 */
export function globToRegExp(glob: string): RegExp {
  let pattern = glob.startsWith('./') ? glob.slice(2) : glob;
  if (!pattern.includes('/')) pattern = `**/${pattern}`;
  if (pattern.endsWith('/')) pattern += '**';
  let out = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        const atStart = i === 0 || pattern[i - 1] === '/';
        const atEnd = i + 2 === pattern.length || pattern[i + 2] === '/';
        if (atStart && atEnd) {
          i += 2;
          if (i >= pattern.length) out += '.*';
          else out += '(?:[^/]+/)*'; // the `/` after `**` is consumed here
          continue;
        }
      }
      out += '[^/]*';
      while (pattern[i + 1] === '*') i++;
    } else if (c === '?') out += '[^/]';
    else if (c === '{') {
      depth++;
      out += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      out += ')';
    } else if (c === ',' && depth > 0) out += '|';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) out += '\\[';
      else {
        const body = pattern.slice(i + 1, close).replace(/\\/g, '\\\\');
        out += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = close;
      }
    } else out += c.replace(/[.+^$()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** A predicate over relative paths: included by one of `include` and excluded by none of `exclude`. */
export function globFilter(
  include: readonly string[],
  exclude: readonly string[],
): (path: string) => boolean {
  const inc = include.map(globToRegExp);
  const exc = exclude.map(globToRegExp);
  return (path) => inc.some((r) => r.test(path)) && !exc.some((r) => r.test(path));
}
