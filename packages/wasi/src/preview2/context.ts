import { ClockId } from '../constants.js';
import type { HostServices } from '../host.js';
import type { GuestMemory } from './guest.js';
import { ResourceTable } from './resources.js';

/** A pollable: ready from a monotonic instant on, or always (streams of this host never block). */
export interface Pollable {
  /** Monotonic nanoseconds from which it is ready; undefined: always ready. */
  readyAt: bigint | undefined;
}

/** An input or output stream over a standard descriptor of the preview1 table. */
export interface Stream {
  fd: 0 | 1 | 2;
}

/** What every preview2 interface of one host shares: memory, preview1's services, resource tables. */
export interface Preview2Context {
  mem: GuestMemory;
  services: HostServices;
  /** Read at each call: a reset host gives the next run's. */
  args: readonly string[];
  env: ReadonlyArray<readonly [string, string]>;
  pollables: ResourceTable<Pollable>;
  inputs: ResourceTable<Stream>;
  outputs: ResourceTable<Stream>;
  /** `wasi:io/error` resources: a message each. */
  errors: ResourceTable<string>;
}

/** The shared state of the preview2 functions of one host. */
export function createContext(
  mem: GuestMemory,
  services: HostServices,
  args: readonly string[],
  env: ReadonlyArray<readonly [string, string]>,
): Preview2Context {
  return {
    mem,
    services,
    args,
    env,
    pollables: new ResourceTable('pollable'),
    // Handles 1 (stdin), 1 and 2 (stdout, stderr): permanent, see ResourceTable.
    inputs: new ResourceTable('input-stream', [{ fd: 0 }]),
    outputs: new ResourceTable('output-stream', [{ fd: 1 }, { fd: 2 }]),
    errors: new ResourceTable('error'),
  };
}

/** The monotonic clock preview1's `clock_time_get` reads. */
export function monotonicNow(context: Preview2Context): bigint {
  return context.services.now(ClockId.MONOTONIC);
}
