import { describe, expect, it } from 'vitest';
import { argsOf, statusOf } from './http.js';

describe('argsOf', () => {
  it('takes the repeated arg parameters in order, decoded', () => {
    expect(argsOf(new URL('http://w/?arg=a&arg=b%20c&arg=%C3%BC&arg='))).toEqual({
      args: ['a', 'b c', 'ü', ''],
    });
    expect(argsOf(new URL('http://w/path'))).toEqual({ args: [] });
  });
  it('refuses any other parameter, naming it', () => {
    expect(argsOf(new URL('http://w/?args=a'))).toEqual({ problem: expect.stringContaining('"args"') });
  });
});

describe('statusOf', () => {
  it('is 200 for exit code 0 and 500 for any other ending', () => {
    expect(statusOf(0)).toBe(200);
    expect(statusOf(1)).toBe(500);
    expect(statusOf(undefined)).toBe(500);
  });
});
