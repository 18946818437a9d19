import { describe, expect, it } from 'vitest';
import { closest, jsonErrorOffset, lineColumn } from './validation.js';

describe('closest', () => {
  it('finds the word a typo meant, and nothing for an unrelated word', () => {
    expect(closest('outdir', ['out', 'entry', 'name'])).toBe('out');
    expect(closest('includes', ['include', 'exclude'])).toBe('include');
    expect(closest('lau', ['lua', 'python', 'ruby'])).toBe('lua');
    expect(closest('Lua', ['lua'])).toBe('lua');
    expect(closest('pyhton', ['lua', 'python'])).toBe('python');
    expect(closest('colour', ['out', 'entry', 'name', 'files', 'init'])).toBeUndefined();
    expect(closest('cobol', ['lua', 'python', 'ruby', 'spidermonkey'])).toBeUndefined();
  });
});

describe('jsonErrorOffset', () => {
  it('agrees with JSON.parse on what parses, and points at the first bad character', () => {
    const good = ['{}', '[]', ' {"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9"]} ', '"s"', '0'];
    for (const text of good) {
      expect(() => JSON.parse(text)).not.toThrow();
      expect(jsonErrorOffset(text)).toBeUndefined();
    }
    const bad: Array<[string, number]> = [
      ['{ "name": ', 10],
      ['{\n  "name": "a",\n}\n', 17],
      ["{'a': 1}", 1],
      ['[1, 2', 5],
      ['{"a": tru}', 6],
      ['{"a": 1} x', 9],
      ['{"a": 01}', 7],
      ['"\\x"', 2],
    ];
    for (const [text, offset] of bad) {
      expect(() => JSON.parse(text)).toThrow();
      expect(jsonErrorOffset(text), text).toBe(offset);
    }
  });

  it('says where as line and column', () => {
    expect(lineColumn('{\n  "name": "a",\n}\n', 17)).toBe('line 3, column 1');
    expect(lineColumn('{ "name": ', 10)).toBe('line 1, column 11');
  });
});
