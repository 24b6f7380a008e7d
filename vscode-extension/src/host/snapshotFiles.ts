/**
 * The snapshot store's file system on Node (lib/snapshotStore.ts): atomic
 * writes (a temporary file beside, then a rename), SHA-256 from node:crypto,
 * and gzip at level 1 from node:zlib (off the extension host's thread; higher
 * levels take twice as long for a few percent less).
 */

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { constants, gzip } from "node:zlib";
import type { SnapshotIo } from "../lib/snapshotStore";

export function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

const gzipAsync = promisify(gzip);

export const NODE_SNAPSHOT_IO: SnapshotIo = {
  read: (path) =>
    fs.promises.readFile(path).then(
      (data) => new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      (error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return null;
        throw error;
      },
    ),
  write: async (path, data) => {
    await fs.promises.mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    await fs.promises.writeFile(temporary, data);
    await fs.promises.rename(temporary, path);
  },
  readTextSync: (path) => (fs.existsSync(path) ? fs.readFileSync(path, "utf8") : null),
  sizeSync: (path) => fs.statSync(path, { throwIfNoEntry: false })?.size ?? null,
  remove: (path) => fs.promises.rm(path, { force: true }),
  list: (dir) => fs.promises.readdir(dir).catch(() => []),
  join,
  sha256,
  gzip: (data) => gzipAsync(data, { level: constants.Z_BEST_SPEED }),
};
