import { expect, it } from 'vitest';
import * as api from './index.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "ArtifactNotFoundError",
      "ArtifactStore",
      "ChecksumMismatchError",
      "CorruptedCacheEntryError",
      "DEBIAN_MIRRORS",
      "DownloadTimeoutError",
      "InvalidArtifactSourceError",
      "LockTimeoutError",
      "MalformedArchiveError",
      "MalformedResponseError",
      "NetworkError",
      "OfflineCacheMissError",
      "UnsafeArchiveEntryError",
      "defaultCacheDir",
      "describeSource",
      "extract",
      "readTar",
      "validateSource",
      "withLock",
      "writeTar",
    ]
  `);
});
