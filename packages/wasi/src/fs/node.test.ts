import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { Errno } from '../constants.js';
import { Guest } from '../guest.test-util.js';
import { WASI } from '../node.js';
import { errnoFromNode } from './node.js';

describe('errnoFromNode', () => {
  it('gives every WASI errno for its host error name, so none falls through to EIO', () => {
    for (const [name, value] of Object.entries(Errno)) {
      if (name === 'SUCCESS' || name === 'NOTCAPABLE') continue;
      const code = name === 'TOOBIG' ? 'E2BIG' : `E${name}`;
      expect([code, errnoFromNode({ code })]).toEqual([code, value]);
    }
    expect(errnoFromNode({ code: 'EWOULDBLOCK' })).toBe(Errno.AGAIN);
    expect(errnoFromNode({ code: 'EOPNOTSUPP' })).toBe(Errno.NOTSUP);
  });

  it('maps every error this host can raise to its own errno, except the few WASI has no name for', () => {
    // STREAMS and timer errors: WASI preview1 has no errno for them.
    const unnamed = new Set(['ENODATA', 'ENOSR', 'ENOSTR', 'ETIME']);
    const toEio = Object.keys(constants.errno).filter(
      (code) => code !== 'EIO' && errnoFromNode({ code }) === Errno.IO,
    );
    expect(toEio.filter((code) => !unnamed.has(code))).toEqual([]);
    expect(errnoFromNode(new Error('no code'))).toBe(Errno.IO);
    expect(errnoFromNode(null)).toBe(Errno.IO);
  });

  it.runIf(existsSync('/dev/full'))('reports a write to /dev/full as ENOSPC', () => {
    const wasi = new WASI({ preopens: { '/dev': '/dev' } });
    const g = new Guest(wasi);
    const fd = g.openOk(3, 'full');
    expect(g.write(fd, 'x').errno).toBe(Errno.NOSPC);
  });
});
