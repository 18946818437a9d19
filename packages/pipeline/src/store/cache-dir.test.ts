import { describe, expect, it } from 'vitest';
import { defaultCacheDir } from './cache-dir.js';

describe('defaultCacheDir', () => {
  it('prefers WASM_RUNTIME_CACHE', () => {
    expect(
      defaultCacheDir({ env: { WASM_RUNTIME_CACHE: '/srv/cache' }, platform: 'linux', home: '/h' }),
    ).toBe('/srv/cache');
  });

  it('follows XDG on Linux, ignoring a relative XDG_CACHE_HOME', () => {
    expect(defaultCacheDir({ env: { XDG_CACHE_HOME: '/x' }, platform: 'linux', home: '/h' })).toBe(
      '/x/wasm-runtime',
    );
    expect(defaultCacheDir({ env: { XDG_CACHE_HOME: 'rel' }, platform: 'linux', home: '/h' })).toBe(
      '/h/.cache/wasm-runtime',
    );
    expect(defaultCacheDir({ env: {}, platform: 'linux', home: '/h' })).toBe('/h/.cache/wasm-runtime');
  });

  it('uses ~/Library/Caches on macOS and LOCALAPPDATA on Windows', () => {
    expect(defaultCacheDir({ env: {}, platform: 'darwin', home: '/Users/u' })).toBe(
      '/Users/u/Library/Caches/wasm-runtime',
    );
    expect(
      defaultCacheDir({
        env: { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' },
        platform: 'win32',
        home: 'C:\\Users\\u',
      }),
    ).toBe('C:\\Users\\u\\AppData\\Local\\wasm-runtime\\Cache');
  });
});
