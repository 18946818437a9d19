/**
 * Random bytes from the platform's CSPRNG (`crypto.getRandomValues`). In Node 20 a call costs
 * several microseconds whatever its size (5-7 µs for 16 bytes on the project's machines), which
 * was a large part of a warm start whose runtime reseeds itself: requests up to `SMALL` bytes are
 * served from a buffer filled 4 KiB at a time. Every byte is handed out once, to one caller, and
 * wiped from the buffer when it is.
 */

const SIZE = 4096;
/** Requests up to this many bytes come from the buffer; larger ones call the CSPRNG directly. */
const SMALL = 256;
const buffer = new Uint8Array(SIZE);
let at = SIZE;

/** Fills `length` bytes of `into` from `offset` (`into` may be a view of shared memory). */
export function fillRandom(into: Uint8Array, offset: number, length: number): void {
  if (length <= SMALL) {
    if (at + length > SIZE) {
      crypto.getRandomValues(buffer);
      at = 0;
    }
    const end = at + length;
    into.set(buffer.subarray(at, end), offset);
    buffer.fill(0, at, end);
    at = end;
    return;
  }
  const shared = typeof SharedArrayBuffer !== 'undefined' && into.buffer instanceof SharedArrayBuffer;
  for (let done = 0; done < length; done += 65536) {
    const n = Math.min(65536, length - done);
    if (shared) {
      // Browsers refuse getRandomValues on a view of shared memory.
      const tmp = new Uint8Array(n);
      crypto.getRandomValues(tmp);
      into.set(tmp, offset + done);
    } else {
      crypto.getRandomValues(into.subarray(offset + done, offset + done + n));
    }
  }
}
