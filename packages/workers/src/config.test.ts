import { describe, expect, it } from 'vitest';
import { workerdConfig, workerName, wranglerConfig } from './config.js';

describe('workerName', () => {
  it('makes a Worker name of an app name, or says there is none', () => {
    expect(workerName('hello')).toBe('hello');
    expect(workerName('My App_2.0')).toBe('my-app-2-0');
    expect(workerName('--x--')).toBe('x');
    expect(workerName(`${'a'.repeat(62)}-b`)).toBe('a'.repeat(62));
    expect(workerName('日本')).toBeUndefined();
  });
});

describe('workerdConfig', () => {
  it("embeds every module by kind and escapes what a Cap'n Proto string cannot hold", () => {
    const text = workerdConfig(
      [
        { name: 'worker.js', kind: 'esModule' },
        { name: 'engine.wasm', kind: 'wasm' },
        { name: 'mount-0.bin', kind: 'data' },
      ],
      '127.0.0.1:"9"\\',
    );
    expect(text).toContain('(name = "worker.js", esModule = embed "worker.js"),');
    expect(text).toContain('(name = "engine.wasm", wasm = embed "engine.wasm"),');
    expect(text).toContain('(name = "mount-0.bin", data = embed "mount-0.bin"),');
    expect(text).toContain('address = "127.0.0.1:\\"9\\"\\\\"');
  });
});

describe('wranglerConfig', () => {
  it('uploads the files as they are, each kind by its extension', () => {
    const text = wranglerConfig('hello', 'worker.js');
    expect(text).toMatch(/^name = "hello"$/m);
    expect(text).toMatch(/^main = "worker.js"$/m);
    expect(text).toMatch(/^no_bundle = true$/m);
    expect(text).toContain('{ type = "ESModule", globs = ["**/*.js"], fallthrough = false }');
    expect(text).toContain('{ type = "CompiledWasm", globs = ["**/*.wasm"], fallthrough = false }');
    expect(text).toContain('{ type = "Data", globs = ["**/*.bin"], fallthrough = false }');
  });
});
