import { WasiTrapError } from './errors.js';

/**
 * Handles of one resource type, as the canonical ABI hands them to the guest: non-zero i32s.
 * Handles below `firstFree` are permanent (the standard streams): the guest may drop them and get
 * them again, and a snapshot that kept one in its memory still finds it after restore.
 */
export class ResourceTable<T> {
  private readonly items = new Map<number, T>();
  private next: number;

  constructor(
    private readonly type: string,
    private readonly permanentItems: readonly T[] = [],
  ) {
    this.permanent = permanentItems.length;
    this.next = 0;
    this.clear();
  }
  private readonly permanent: number;

  /** Back to a new table's handles: the permanent ones only, and the next handle after them. */
  clear(): void {
    this.items.clear();
    for (const [i, item] of this.permanentItems.entries()) this.items.set(i + 1, item);
    this.next = this.permanent + 1;
  }

  add(item: T): number {
    const handle = this.next++;
    this.items.set(handle, item);
    return handle;
  }

  get(fn: string, handle: number): T {
    const item = this.items.get(handle);
    if (item === undefined) throw new WasiTrapError(fn, `${handle} is not a live ${this.type} handle`);
    return item;
  }

  drop(fn: string, handle: number): void {
    if (handle >= 1 && handle <= this.permanent) return;
    if (!this.items.delete(handle))
      throw new WasiTrapError(fn, `${handle} is not a live ${this.type} handle`);
  }
}
