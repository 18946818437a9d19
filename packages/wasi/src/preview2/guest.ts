import { WasiTrapError } from './errors.js';

type Realloc = (oldPtr: number, oldSize: number, align: number, newSize: number) => number;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The guest's memory and allocator as canonical-ABI lowering needs them: bounds-checked loads and
 * stores, and results allocated with the guest's own `cabi_realloc`. Views are refreshed whenever
 * the memory grew (its old buffer then reads as detached). Pointers arrive as signed i32s: each
 * is read as unsigned.
 */
export class GuestMemory {
  private memory: WebAssembly.Memory | undefined;
  private realloc: Realloc | undefined;
  private u8 = new Uint8Array(0);
  private dv = new DataView(new ArrayBuffer(0));

  bind(memory: WebAssembly.Memory, realloc?: unknown): void {
    this.memory = memory;
    if (typeof realloc === 'function') this.realloc = realloc as Realloc;
    this.refresh();
  }

  /** No memory bound, as before the first `bind`. */
  unbind(): void {
    this.memory = undefined;
    this.realloc = undefined;
    this.u8 = new Uint8Array(0);
    this.dv = new DataView(new ArrayBuffer(0));
  }

  private refresh(): void {
    if (this.memory === undefined) return;
    const buffer = this.memory.buffer;
    if (this.u8.buffer !== buffer || this.u8.byteLength !== buffer.byteLength) {
      this.u8 = new Uint8Array(buffer);
      this.dv = new DataView(buffer);
    }
  }

  private check(fn: string, ptr: number, len: number): void {
    this.refresh();
    if (this.memory === undefined)
      throw new WasiTrapError(fn, 'the instance has no memory bound to the host');
    if (ptr < 0 || len < 0 || ptr + len > this.u8.length) {
      throw new WasiTrapError(
        fn,
        `the range ${ptr}..${ptr + len} is outside the guest's memory (${this.u8.length} bytes)`,
      );
    }
  }

  u8At(fn: string, ptr: number, value: number): void {
    ptr >>>= 0;
    this.check(fn, ptr, 1);
    this.u8[ptr] = value;
  }
  u32At(fn: string, ptr: number, value: number): void {
    ptr >>>= 0;
    this.check(fn, ptr, 4);
    this.dv.setUint32(ptr, value, true);
  }
  u64At(fn: string, ptr: number, value: bigint): void {
    ptr >>>= 0;
    this.check(fn, ptr, 8);
    this.dv.setBigUint64(ptr, BigInt.asUintN(64, value), true);
  }
  readU32(fn: string, ptr: number): number {
    ptr >>>= 0;
    this.check(fn, ptr, 4);
    return this.dv.getUint32(ptr, true);
  }
  /** A copy of `len` bytes at `ptr`. */
  bytes(fn: string, ptr: number, len: number): Uint8Array {
    ptr >>>= 0;
    len >>>= 0;
    this.check(fn, ptr, len);
    return this.u8.slice(ptr, ptr + len);
  }
  /** A view of `len` bytes at `ptr`, valid until the guest runs again. */
  view(fn: string, ptr: number, len: number): Uint8Array {
    ptr >>>= 0;
    len >>>= 0;
    this.check(fn, ptr, len);
    return this.u8.subarray(ptr, ptr + len);
  }

  /** Allocates `size` bytes aligned to `align` with the guest's `cabi_realloc`. */
  alloc(fn: string, size: number, align: number): number {
    if (size === 0) return align;
    if (this.realloc === undefined) {
      throw new WasiTrapError(
        fn,
        'the instance exports no `cabi_realloc`, which returning a list or string needs',
      );
    }
    const ptr = this.realloc(0, 0, align, size) >>> 0;
    this.check(fn, ptr, size);
    return ptr;
  }

  /** Copies `bytes` into a fresh guest allocation; returns its pointer. */
  put(fn: string, bytes: Uint8Array, align = 1): number {
    const ptr = this.alloc(fn, bytes.length, align);
    if (bytes.length > 0) this.u8.set(bytes, ptr);
    return ptr;
  }

  /** Lowers a string into a fresh allocation; returns `[ptr, len]` (UTF-8 bytes). */
  putString(fn: string, text: string): [number, number] {
    const bytes = encoder.encode(text);
    return [this.put(fn, bytes), bytes.length];
  }

  /** Lowers a `list<string>` at `retptr` (pointer, count). */
  putStringList(fn: string, retptr: number, items: readonly string[]): void {
    const list = this.alloc(fn, items.length * 8, 4);
    items.forEach((item, i) => {
      const [p, l] = this.putString(fn, item);
      this.u32At(fn, list + i * 8, p);
      this.u32At(fn, list + i * 8 + 4, l);
    });
    this.u32At(fn, retptr, list);
    this.u32At(fn, retptr + 4, items.length);
  }

  string(fn: string, ptr: number, len: number): string {
    return decoder.decode(this.view(fn, ptr, len));
  }
}
