import { homedir } from 'node:os';
import { join, win32 } from 'node:path';

/** What `defaultCacheDir` looks at; every field defaults to the current process's value. */
export interface CacheDirContext {
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  home?: string;
}

/**
 * The cache root: `$WASM_RUNTIME_CACHE` when set, otherwise the user's cache directory:
 * `$XDG_CACHE_HOME/wasm-runtime` or `~/.cache/wasm-runtime` (Linux and other Unixes),
 * `~/Library/Caches/wasm-runtime` (macOS), `%LOCALAPPDATA%\wasm-runtime\Cache` (Windows).
 */
export function defaultCacheDir(context: CacheDirContext = {}): string {
  const env = context.env ?? process.env;
  const platform = context.platform ?? process.platform;
  const home = context.home ?? homedir();
  const explicit = env['WASM_RUNTIME_CACHE'];
  if (explicit) return explicit;
  if (platform === 'win32') {
    const base = env['LOCALAPPDATA'] || win32.join(home, 'AppData', 'Local');
    return win32.join(base, 'wasm-runtime', 'Cache');
  }
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'wasm-runtime');
  const xdg = env['XDG_CACHE_HOME'];
  // The XDG spec says relative values are invalid and must be ignored.
  if (xdg?.startsWith('/')) return join(xdg, 'wasm-runtime');
  return join(home, '.cache', 'wasm-runtime');
}
