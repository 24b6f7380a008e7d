/**
 * Keeps the practice panel's Pyodide memory snapshot between sessions (in the
 * extension's global storage) and decides whether a kept one may be used.
 *
 * A snapshot is a memory image of an interpreter booted with the harness
 * loaded, kept gzip-compressed (about 31 MB becomes about 7 MB, so the panel
 * fetches it faster; the worker decompresses it as it arrives), valid for the same Pyodide and the same harness: its
 * file is named after both (the Pyodide version and the harness's SHA-256),
 * and a record beside it (`<name>.json`) holds the identity, the size and the
 * SHA-256 of the bytes. A snapshot whose record is missing, of another
 * identity, or whose bytes do not match it is damaged: it is removed, and the
 * panel boots Python afresh and keeps a new one. `look()` makes the cheap
 * checks (the record and the file's size, no read of the bytes), so the panel
 * can offer a snapshot at once; `check()` adds the checksum, and the panel's
 * worker restores nothing before it has that verdict. Keeping a snapshot removes
 * those of other identities (stale once Pyodide or the harness changed).
 *
 * The file system and the hash are injected, so the rules are unit-tested on
 * a real folder without VS Code.
 */

/** Bumped when what a snapshot holds or how it is stored changes (3: gzip-compressed). */
export const SNAPSHOT_FORMAT = 3;

export interface SnapshotIdentity {
  /** The Pyodide version (package.json of the shipped runtime). */
  pyodide: string;
  /** SHA-256 (hex) of the harness source loaded before the snapshot was taken. */
  harnessSha256: string;
}

interface SnapshotRecord extends SnapshotIdentity {
  format: number;
  bytes: number;
  sha256: string;
  /** SHA-256 of the snapshot as taken (decompressed): the key a web page keeps it under (lib/pageCache.ts). */
  rawSha256?: string;
}

export interface SnapshotIo {
  /** The file's bytes, or null when it does not exist. */
  read(path: string): Promise<Uint8Array | null>;
  /** Write the whole file, replacing it atomically (write beside, then rename). */
  write(path: string, data: Uint8Array | string): Promise<void>;
  remove(path: string): Promise<void>;
  /** A small file's text, or null when it does not exist (synchronous). */
  readTextSync(path: string): string | null;
  /** A file's size in bytes, or null when it does not exist (synchronous). */
  sizeSync(path: string): number | null;
  /** The names in a folder ([] when it does not exist). */
  list(dir: string): Promise<string[]>;
  join(dir: string, name: string): string;
  sha256(data: Uint8Array): string;
  gzip(data: Uint8Array): Promise<Uint8Array>;
}

export type SnapshotCheck =
  /** `rawSha256`: the decompressed snapshot's checksum from its record (what a web page keeps it under, lib/pageCache.ts). */
  | { state: "usable"; file: string; bytes: number; rawSha256?: string }
  | { state: "missing" }
  | { state: "damaged"; reason: string };

const SUFFIX = ".snapshot";
const RECORD = ".json";

export class SnapshotStore {
  readonly file: string;
  private readonly recordFile: string;

  constructor(
    private readonly dir: string,
    private readonly identity: SnapshotIdentity,
    private readonly io: SnapshotIo,
  ) {
    const version = identity.pyodide.replace(/[^A-Za-z0-9.]/g, "_");
    this.file = io.join(dir, `pyodide-${version}-${identity.harnessSha256.slice(0, 16)}${SUFFIX}`);
    this.recordFile = `${this.file}${RECORD}`;
  }

  /**
   * The cheap checks only (the record, and the file's size against it), synchronous and
   * without reading the bytes: whether a kept snapshot may be offered, pending `check()`'s
   * checksum. Removes nothing (`check()` does).
   */
  look(): SnapshotCheck {
    let size: number | null;
    let record: string | null;
    try {
      size = this.io.sizeSync(this.file);
      record = size === null ? null : this.io.readTextSync(this.recordFile);
    } catch (error) {
      return { state: "damaged", reason: String(error) };
    }
    if (size === null) return { state: "missing" };
    const reason = this.recordProblem(record, size);
    if (reason !== null) return { state: "damaged", reason };
    return { state: "usable", file: this.file, bytes: size, ...rawChecksum(record) };
  }

  /** Whether the kept snapshot may be restored (its record, size and checksum); a damaged one is removed. */
  async check(): Promise<SnapshotCheck> {
    const { data, recordFound, reason, record } = await this.inspect();
    if (data === null) {
      if (recordFound) await this.io.remove(this.recordFile);
      return { state: "missing" };
    }
    if (reason === null) return { state: "usable", file: this.file, bytes: data.byteLength, ...rawChecksum(record) };
    await Promise.all([this.io.remove(this.file), this.io.remove(this.recordFile)]);
    return { state: "damaged", reason };
  }

  /**
   * The kept snapshot's bytes when its record and checksum hold (what a page may restore), else
   * null: the host sends the page these very bytes. Removes nothing (`check()` does).
   */
  async verifiedBytes(): Promise<Uint8Array | null> {
    const { data, reason } = await this.inspect();
    return reason === null ? data : null;
  }

  /** The snapshot's bytes (null: none), whether its record exists, and what is wrong with them (null: nothing). */
  private async inspect(): Promise<{ data: Uint8Array | null; recordFound: boolean; reason: string | null; record: string | null }> {
    const [recordBytes, data] = await Promise.all([this.io.read(this.recordFile), this.io.read(this.file)]);
    const record = recordBytes === null ? null : new TextDecoder().decode(recordBytes);
    if (data === null) return { data, recordFound: record !== null, reason: "it is missing", record };
    return { data, recordFound: record !== null, reason: this.recordProblem(record, data.byteLength) ?? this.checksumProblem(record ?? "", data), record };
  }

  /** What is wrong with the record of a snapshot of `size` bytes, or null. */
  private recordProblem(text: string | null, size: number): string | null {
    if (text === null) return "its record is missing";
    const record = parseRecord(text);
    if (record === null) return "its record is not JSON";
    if (record.format !== SNAPSHOT_FORMAT) return `it is of format ${String(record.format)}, not ${SNAPSHOT_FORMAT}`;
    if (record.pyodide !== this.identity.pyodide) return `it was made by Pyodide ${String(record.pyodide)}`;
    if (record.harnessSha256 !== this.identity.harnessSha256) return "it was made with another harness";
    if (record.bytes !== size) return `it has ${size} bytes where ${String(record.bytes)} were written`;
    return null;
  }

  private checksumProblem(text: string, data: Uint8Array): string | null {
    return parseRecord(text)?.sha256 === this.io.sha256(data) ? null : "its bytes do not match their checksum";
  }

  /**
   * Keep a new snapshot (compressed, with its record), and remove snapshots of any other identity;
   * resolves with the checksum of the snapshot as given (the record's `rawSha256`).
   */
  async keep(snapshot: Uint8Array): Promise<string> {
    const data = await this.io.gzip(snapshot);
    const rawSha256 = this.io.sha256(snapshot);
    const record: SnapshotRecord = { ...this.identity, format: SNAPSHOT_FORMAT, bytes: data.byteLength, sha256: this.io.sha256(data), rawSha256 };
    // The record goes last: a snapshot without one (a crash in between) counts as damaged.
    await this.io.remove(this.recordFile);
    await this.io.write(this.file, data);
    await this.io.write(this.recordFile, JSON.stringify(record));
    const mine = new Set([this.file, this.recordFile]);
    for (const name of await this.io.list(this.dir)) {
      const path = this.io.join(this.dir, name);
      if ((name.endsWith(SUFFIX) || name.endsWith(`${SUFFIX}${RECORD}`)) && !mine.has(path)) await this.io.remove(path);
    }
    return rawSha256;
  }
}

/** The record's checksum of the decompressed snapshot, when it has one (older records do not). */
function rawChecksum(text: string | null): { rawSha256?: string } {
  const raw = parseRecord(text ?? "")?.rawSha256;
  return typeof raw === "string" && /^[0-9a-f]{64}$/.test(raw) ? { rawSha256: raw } : {};
}

function parseRecord(text: string): Partial<SnapshotRecord> | null {
  try {
    const record: unknown = JSON.parse(text);
    return typeof record === "object" && record !== null ? (record as Partial<SnapshotRecord>) : null;
  } catch {
    return null;
  }
}
