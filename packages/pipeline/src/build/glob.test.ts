import { describe, expect, it } from 'vitest';
import { globFilter, globToRegExp } from './glob.js';

const m = (glob: string, path: string) => globToRegExp(glob).test(path);

describe('globToRegExp', () => {
  it('matches * within one segment and ** across segments', () => {
    expect(m('src/*.lua', 'src/a.lua')).toBe(true);
    expect(m('src/*.lua', 'src/x/a.lua')).toBe(false);
    expect(m('src/**/*.lua', 'src/a.lua')).toBe(true);
    expect(m('src/**/*.lua', 'src/x/y/a.lua')).toBe(true);
    expect(m('src/**', 'src/x/y/a.lua')).toBe(true);
    expect(m('**', 'a/b')).toBe(true);
    expect(m('**/*', 'top.txt')).toBe(true);
  });
  it('treats a pattern without / as matching at any depth, like .gitignore', () => {
    expect(m('*.lua', 'main.lua')).toBe(true);
    expect(m('*.lua', 'lib/util.lua')).toBe(true);
    expect(m('*.lua', 'lib/util.luac')).toBe(false);
    expect(m('node_modules/', 'node_modules/x/y.js')).toBe(true);
  });
  it('supports ?, {a,b} and [abc], and escapes regex characters', () => {
    expect(m('a?.txt', 'ab.txt')).toBe(true);
    expect(m('a?.txt', 'a/.txt')).toBe(false);
    expect(m('*.{lua,txt}', 'x.txt')).toBe(true);
    expect(m('*.{lua,txt}', 'x.md')).toBe(false);
    expect(m('[ab].c', 'b.c')).toBe(true);
    expect(m('[!ab].c', 'b.c')).toBe(false);
    expect(m('a+b(1).txt', 'a+b(1).txt')).toBe(true);
    expect(m('a.txt', 'abtxt')).toBe(false);
  });
  it('globFilter includes then excludes', () => {
    const f = globFilter(['**/*'], ['dist/**', '*.log']);
    expect(f('main.lua')).toBe(true);
    expect(f('dist/app.wasm')).toBe(false);
    expect(f('x/y.log')).toBe(false);
  });
});
