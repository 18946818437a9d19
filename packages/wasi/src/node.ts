/**
 * The Node.js entry point of `@wasm-runtime/wasi`: everything of the browser entry point, plus
 * host directories as preopens (`NodeFS`) and `'inherit'` stdio.
 */
import * as nodeFs from 'node:fs';
import { errnoFromNode, NodeFS } from './fs/node.js';
import type { Sink, Source } from './stdio.js';
import { WASI as BaseWASI, type HostPlatform } from './wasi.js';

export { errnoFromNode, NodeFS, type NodeFSOptions } from './fs/node.js';
export * from './index.js';

function fdIsTTY(fd: number): boolean {
  try {
    return (nodeFs.fstatSync(fd).mode & nodeFs.constants.S_IFMT) === nodeFs.constants.S_IFCHR && isatty(fd);
  } catch {
    return false;
  }
}

function isatty(fd: number): boolean {
  const stream = fd === 0 ? process.stdin : fd === 1 ? process.stdout : process.stderr;
  return (stream as { isTTY?: boolean }).isTTY === true;
}

// Something to Atomics.wait on while a non-blocking stdio descriptor is not ready.
const pause = new Int32Array(new SharedArrayBuffer(4));

class InheritedOutput implements Sink {
  readonly tty: boolean;
  constructor(private readonly fd: number) {
    this.tty = fdIsTTY(fd);
  }
  write(from: Uint8Array, offset: number, length: number): number {
    let done = 0;
    while (done < length) {
      try {
        done += nodeFs.writeSync(this.fd, from, offset + done, length - done);
      } catch (error) {
        // A non-blocking pipe that is full: wait for it rather than lose output.
        if ((error as { code?: string }).code === 'EAGAIN') {
          Atomics.wait(pause, 0, 0, 1);
          continue;
        }
        if (done > 0) return done;
        // A full disk (or /dev/full) is ENOSPC, a closed pipe EPIPE: the guest sees what happened.
        return -errnoFromNode(error);
      }
    }
    return done;
  }
}

class InheritedInput implements Source {
  readonly tty = fdIsTTY(0);
  read(into: Uint8Array, offset: number, length: number): number {
    for (;;) {
      try {
        return nodeFs.readSync(0, into, offset, length, null);
      } catch (error) {
        const code = (error as { code?: string }).code;
        // Node may have made fd 0 non-blocking; the guest expects a blocking read, so wait for input.
        if (code === 'EAGAIN') {
          Atomics.wait(pause, 0, 0, 5);
          continue;
        }
        if (code === 'EOF') return 0;
        return -errnoFromNode(error);
      }
    }
  }
  available(): number {
    return -1;
  }
}

const nodePlatform: HostPlatform = {
  hostDirectory: (path, readOnly) => new NodeFS(path, { readOnly }),
  inheritOutput: (fd) => new InheritedOutput(fd),
  inheritInput: () => new InheritedInput(),
};

/**
 * The WASI host with Node.js support: preopens may name host directories (sandboxed to them), and
 * stdio may be `'inherit'`.
 */
export class WASI extends BaseWASI {
  protected static override platform: HostPlatform | undefined = nodePlatform;
}
