// A dist's manifest is untrusted input: whatever it says, a run gets at most the dist's own files/
// tree, read-only unless the caller opts in. Hostile manifests from the fuzzing of issue 10.

import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArtifactStore,
  build,
  type DistManifest,
  DistManifestError,
  type LoadedDist,
  loadDist,
  loadRecipeModule,
  runDist,
} from '../src/index.js';
import { buildShippedDist } from './helpers/shipped-dist.js';

const fixtures = fileURLToPath(new URL('./fixtures/build/', import.meta.url));
const apps = join(fixtures, 'apps');
const cacheDir = fileURLToPath(new URL('../.cache/test-build-store/', import.meta.url));

let tmp: string;
/** A pristine dist whose /app mount ships (files/app), built once. */
let pristine: string;
let n = 0;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-sandbox-'));
  pristine = join(tmp, 'pristine');
  await buildShippedDist('held', pristine, { name: 'shipped', readOnly: false });
}, 240_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A copy of the pristine dist with its manifest changed by `edit`. */
async function hostile(edit: (m: DistManifest) => void): Promise<string> {
  const dir = join(tmp, `d${n++}`);
  await cp(pristine, dir, { recursive: true });
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as DistManifest;
  edit(manifest);
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

async function runCaptured(
  dist: string | LoadedDist,
  args: string[],
  options: { writableMounts?: boolean } = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const dec = new TextDecoder();
  const { exitCode } = await runDist(dist, {
    args,
    stdin: 'ignore',
    stdout: (chunk) => out.push(dec.decode(chunk)),
    stderr: (chunk) => err.push(dec.decode(chunk)),
    ...options,
  });
  return { exitCode, stdout: out.join(''), stderr: err.join('') };
}

describe('dist mounts', () => {
  it('the pristine dist reads its shipped files and writes nothing by default', async () => {
    const manifest = JSON.parse(await readFile(join(pristine, 'manifest.json'), 'utf8')) as DistManifest;
    expect(manifest.mounts).toEqual([
      expect.objectContaining({ guest: '/app', readOnly: false, dir: 'files/app' }),
    ]);
    const cat = await runCaptured(pristine, ['cat', '/app/data.txt']);
    expect(cat.stdout).toContain(await readFile(join(apps, 'held', 'data.txt'), 'utf8'));
    expect(cat.exitCode).toBe(0);
    // The manifest says readOnly: false, but the user did not opt in.
    const write = await runCaptured(pristine, ['write', '/app/new.txt', 'x']);
    expect(write.stderr).toMatch(/\/app\/new\.txt: Read-only file system/);
    expect(write.exitCode).toBe(1);
  });

  it('refuses a mount naming the host root (the reproducer of issue 10), even with writableMounts', async () => {
    const dir = await hostile((m) => {
      m.mounts.push({ guest: '/host', readOnly: false, dir: '../../../..', files: [] });
    });
    for (const writableMounts of [false, true]) {
      const error = await runCaptured(dir, ['cat', '/host/etc/hostname'], { writableMounts }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DistManifestError);
      expect((error as DistManifestError).code).toBe('ERR_DIST_MANIFEST_INVALID');
      expect((error as DistManifestError).issues).toEqual([
        {
          path: 'mounts[1].dir',
          message: expect.stringContaining('expected "files/host" for the guest path /host'),
        },
      ]);
    }
  });

  it.each([
    ['an absolute dir', { guest: '/x', readOnly: true, dir: '/', files: [] }, 'mounts[1].dir'],
    ['a dir outside files/', { guest: '/x', readOnly: true, dir: 'files/../..', files: [] }, 'mounts[1].dir'],
    ['a relative guest path', { guest: 'x', readOnly: true, dir: null, files: [] }, 'mounts[1].guest'],
    ['a guest path with ..', { guest: '/x/..', readOnly: true, dir: null, files: [] }, 'mounts[1].guest'],
    [
      'the same guest path twice',
      { guest: '/app', readOnly: true, dir: 'files/app', files: [] },
      'mounts[1].guest',
    ],
    [
      'a file path with ..',
      { guest: '/x', readOnly: true, dir: null, files: [{ path: '../a', size: 0, sha256: '0'.repeat(64) }] },
      'mounts[1].files[0].path',
    ],
  ])('refuses %s with the field named', async (_, mount, field) => {
    const dir = await hostile((m) => {
      m.mounts.push(mount as DistManifest['mounts'][number]);
    });
    const error = await loadDist(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DistManifestError);
    expect((error as DistManifestError).issues.map((i) => i.path)).toEqual([field]);
  });

  it('refuses mount directories that leave files/ through a symlink, also with verify: false', async () => {
    // files/app itself a link to /.
    const linked = await hostile(() => {});
    await rm(join(linked, 'files', 'app'), { recursive: true });
    await symlink('/', join(linked, 'files', 'app'));
    // files/ a link to /, the mount /etc at files/etc.
    const root = await hostile((m) => {
      m.mounts.push({ guest: '/etc', readOnly: true, dir: 'files/etc', files: [] });
    });
    await rm(join(root, 'files'), { recursive: true });
    await symlink('/', join(root, 'files'));
    for (const [dir, field] of [
      [linked, 'mounts[0].dir'],
      [root, 'mounts[0].dir'],
    ] as const) {
      for (const verify of [true, false]) {
        await expect(loadDist(dir, { verify })).rejects.toMatchObject({
          code: 'ERR_DIST_MOUNT_ESCAPE',
          field,
        });
      }
    }
  });

  it('a symlink inside a mount is an integrity error, and the guest cannot follow it out anyway', async () => {
    const dir = await hostile(() => {});
    await symlink('/', join(dir, 'files', 'app', 'root'));
    await expect(loadDist(dir)).rejects.toMatchObject({ code: 'ERR_DIST_INTEGRITY' });
    const run = await runCaptured(await loadDist(dir, { verify: false }), ['cat', '/app/root/etc/hostname']);
    expect(run.stderr).toContain('/app/root/etc/hostname: ');
    expect(run.exitCode).toBe(1);
  });

  it('the shipped files must be those the manifest lists: same bytes, none added', async () => {
    const changed = await hostile(() => {});
    await writeFile(join(changed, 'files', 'app', 'data.txt'), 'something else\n');
    await expect(loadDist(changed)).rejects.toMatchObject({
      code: 'ERR_DIST_INTEGRITY',
      file: join(changed, 'files/app/data.txt'),
    });
    const added = await hostile(() => {});
    await mkdir(join(added, 'files', 'app', 'lib'));
    await writeFile(join(added, 'files', 'app', 'lib', 'sitecustomize.py'), 'evil\n');
    await expect(loadDist(added)).rejects.toMatchObject({
      code: 'ERR_DIST_INTEGRITY',
      message: expect.stringContaining('a file the manifest does not list'),
    });
    const removed = await hostile(() => {});
    await rm(join(removed, 'files', 'app', 'main.txt'));
    await expect(loadDist(removed)).rejects.toMatchObject({ code: 'ERR_DIST_INTEGRITY' });
    // verify: false skips the contents, not the sandbox.
    expect((await loadDist(changed, { verify: false })).manifest.name).toBe('shipped');
  });

  it('a mount at / ships as files/ and a mount inside it is checked against its own list', async () => {
    const { recipe } = await loadRecipeModule(join(fixtures, 'recipe.mjs'));
    const out = join(tmp, 'nested');
    const result = await build(
      {
        name: 'nested',
        root: join(apps, 'held'),
        recipe: {
          ...recipe,
          stage: {
            mounts: [
              { guest: '/', atRuntime: true },
              { guest: '/app', atRuntime: true },
            ],
          },
        },
        out,
      },
      { store: new ArtifactStore({ cacheDir, offline: true }) },
    );
    expect(result.manifest.mounts.map((m) => m.dir)).toEqual(['files', 'files/app']);
    const run = await runCaptured(await loadDist(out), ['cat', '/app/data.txt']);
    expect(run.stdout).toContain(await readFile(join(apps, 'held', 'data.txt'), 'utf8'));
    expect(run.exitCode).toBe(0);
  });

  it('writableMounts opts in to the writes the manifest allows, and only those', async () => {
    const dir = await hostile(() => {});
    const write = await runCaptured(dir, ['write', '/app/new.txt', 'written'], { writableMounts: true });
    expect(write.exitCode).toBe(0);
    expect(await readFile(join(dir, 'files', 'app', 'new.txt'), 'utf8')).toBe('written');
    // A writable mount's contents are run-time state: not checked against the manifest.
    expect((await runCaptured(dir, ['exit', '0'], { writableMounts: true })).exitCode).toBe(0);
    await expect(loadDist(dir)).rejects.toMatchObject({ code: 'ERR_DIST_INTEGRITY' });

    const readOnly = await hostile((m) => {
      m.mounts[0]!.readOnly = true;
    });
    const refused = await runCaptured(readOnly, ['write', '/app/new.txt', 'x'], { writableMounts: true });
    expect(refused.exitCode).toBe(1);
    const loaded = await loadDist(readOnly);
    await expect(runCaptured(loaded, ['exit', '0'], { writableMounts: true })).rejects.toMatchObject({
      code: 'ERR_DIST_INVALID',
    });
  });

  it('refuses files outside the dist directory and files that are not regular files', async () => {
    const outside = await hostile((m) => {
      m.files.engine.path = '../../etc/passwd';
    });
    await expect(loadDist(outside)).rejects.toMatchObject({
      code: 'ERR_DIST_MANIFEST_INVALID',
      issues: [{ path: 'files.engine.path', message: expect.any(String) }],
    });
    // The optional forms too: the exnref engine is what a host without legacy EH reads.
    const exnref = await hostile((m) => {
      m.files.engineExnref = { ...m.files.engine, path: '../engine.wasm', exceptions: 'exnref' };
    });
    await expect(loadDist(exnref)).rejects.toMatchObject({
      code: 'ERR_DIST_MANIFEST_INVALID',
      issues: [{ path: 'files.engineExnref.path', message: expect.any(String) }],
    });
    const fifo = await hostile(() => {});
    const manifest = JSON.parse(await readFile(join(fifo, 'manifest.json'), 'utf8')) as DistManifest;
    await rm(join(fifo, manifest.files.data.path));
    await symlink('/dev/zero', join(fifo, manifest.files.data.path));
    await expect(loadDist(fifo)).rejects.toMatchObject({
      code: 'ERR_DIST_INVALID',
      message: expect.stringContaining('is not a regular file'),
    });
  });
});

describe('dist host state', () => {
  it('the pristine dist restores the file init left open', async () => {
    const manifest = JSON.parse(await readFile(join(pristine, 'manifest.json'), 'utf8')) as DistManifest;
    expect(manifest.hostState?.fds).toContainEqual(
      expect.objectContaining({ kind: 'file', mount: '/app', path: 'data.txt' }),
    );
    expect((await runCaptured(pristine, [])).stdout).toContain('held: the rest of the data\n');
  });

  type Fd = NonNullable<DistManifest['hostState']>['fds'][number];
  const heldFile = (m: DistManifest) =>
    m.hostState!.fds.find((fd) => fd.kind === 'file') as Extract<Fd, { kind: 'file' }>;

  it.each([
    [
      'a path with ..',
      (m: DistManifest) => {
        heldFile(m).path = '../../../../etc/hostname';
      },
      'hostState.fds[#].path',
    ],
    [
      'an absolute path',
      (m: DistManifest) => {
        heldFile(m).path = '/etc/hostname';
      },
      'hostState.fds[#].path',
    ],
    [
      'a mount the dist does not ship',
      (m: DistManifest) => {
        heldFile(m).mount = '/';
      },
      'hostState.fds[#].mount',
    ],
    [
      'a writable file on a read-only run',
      (m: DistManifest) => {
        heldFile(m).writable = true;
      },
      'hostState.fds[#].writable',
    ],
    [
      'a preopen name that is not a guest path',
      (m: DistManifest) => {
        m.hostState!.fds.push({
          fd: 99,
          kind: 'dir',
          mount: '/app',
          path: '',
          preopen: '../x',
          rightsBase: 0,
          rightsInheriting: 0,
          flags: 0,
        });
      },
      'hostState.fds[#].preopen',
    ],
  ])('refuses a saved descriptor with %s', async (_, edit, field) => {
    let index = -1;
    const dir = await hostile((m) => {
      edit(m);
      index = m.hostState!.fds.findIndex((fd) => fd.kind === 'file' || fd.fd === 99);
      if (field.endsWith('preopen')) index = m.hostState!.fds.length - 1;
    });
    const error = await loadDist(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DistManifestError);
    expect((error as DistManifestError).issues.map((i) => i.path)).toEqual([
      field.replace('#', String(index)),
    ]);
  });

  it('refuses a saved descriptor whose path goes through a symlink', async () => {
    const dir = await hostile((m) => {
      heldFile(m).path = 'up/hostname';
    });
    await symlink('/etc', join(dir, 'files', 'app', 'up'));
    for (const verify of [true, false]) {
      await expect(loadDist(dir, { verify })).rejects.toMatchObject({ code: 'ERR_DIST_MOUNT_ESCAPE' });
    }
  });
});
