import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NODE_SNAPSHOT_IO } from "../src/host/snapshotFiles";
import { SNAPSHOT_FORMAT, SnapshotStore } from "../src/lib/snapshotStore";

const io = NODE_SNAPSHOT_IO;

const IDENTITY = { pyodide: "314.0.7", harnessSha256: "ab".repeat(32) };
const SNAPSHOT = new Uint8Array(4096).map((_, i) => (i * 31) % 251);
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(join(tmpdir(), "pytrix-snapshots-"));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("SnapshotStore", () => {
  it("offers a kept snapshot of the same Pyodide and harness", async () => {
    const store = new SnapshotStore(dir, IDENTITY, io);
    expect(await store.check()).toEqual({ state: "missing" });
    const rawSha256 = await store.keep(SNAPSHOT);
    // The decompressed snapshot's checksum is the key a web page keeps it under (lib/pageCache.ts).
    expect(rawSha256).toBe(createHash("sha256").update(SNAPSHOT).digest("hex"));
    expect(await store.check()).toEqual({ state: "usable", file: store.file, bytes: fs.statSync(store.file).size, rawSha256 });
    expect(store.look()).toEqual({ state: "usable", file: store.file, bytes: fs.statSync(store.file).size, rawSha256 });
    expect(store.file).toBe(join(dir, "pyodide-314.0.7-abababababababab.snapshot"));
    const record = JSON.parse(fs.readFileSync(`${store.file}.json`, "utf8"));
    expect(record).toMatchObject({ rawSha256, sha256: createHash("sha256").update(fs.readFileSync(store.file)).digest("hex") });
    expect(record).toMatchObject({ ...IDENTITY, format: SNAPSHOT_FORMAT, bytes: fs.statSync(store.file).size });
    // Kept gzip-compressed: the worker decompresses it as it arrives.
    expect(new Uint8Array(gunzipSync(fs.readFileSync(store.file)))).toEqual(SNAPSHOT);
  });

  it("never offers one made for another harness or another Pyodide, and removes it when keeping a new one", async () => {
    const old = new SnapshotStore(dir, IDENTITY, io);
    await old.keep(SNAPSHOT);
    fs.writeFileSync(join(dir, "pyodide-313.0.0-pytrix-0.1.0.snapshot"), "an older naming");
    const newHarness = new SnapshotStore(dir, { ...IDENTITY, harnessSha256: "cd".repeat(32) }, io);
    const newPyodide = new SnapshotStore(dir, { ...IDENTITY, pyodide: "315.0.0" }, io);
    expect(await newHarness.check()).toEqual({ state: "missing" });
    expect(await newPyodide.check()).toEqual({ state: "missing" });
    await newHarness.keep(SNAPSHOT);
    expect(fs.readdirSync(dir).sort()).toEqual([`pyodide-314.0.7-cdcdcdcdcdcdcdcd.snapshot`, `pyodide-314.0.7-cdcdcdcdcdcdcdcd.snapshot.json`]);
  });

  it.each([
    ["a flipped byte", (file: string) => {
      const data = fs.readFileSync(file);
      data[data.length >> 1] ^= 0xff;
      fs.writeFileSync(file, data);
    }, /checksum/],
    ["a cut file", (file: string) => fs.truncateSync(file, 10), /has 10 bytes where \d+ were written/],
    ["no record", (file: string) => fs.rmSync(`${file}.json`), /record is missing/],
    ["a broken record", (file: string) => fs.writeFileSync(`${file}.json`, "{"), /not JSON/],
    ["a record of another harness", (file: string) => {
      const record = JSON.parse(fs.readFileSync(`${file}.json`, "utf8"));
      fs.writeFileSync(`${file}.json`, JSON.stringify({ ...record, harnessSha256: "ef".repeat(32) }));
    }, /another harness/],
    ["a record of an older format", (file: string) => {
      const record = JSON.parse(fs.readFileSync(`${file}.json`, "utf8"));
      fs.writeFileSync(`${file}.json`, JSON.stringify({ ...record, format: SNAPSHOT_FORMAT - 1 }));
    }, /format/],
  ])("removes a damaged snapshot (%s) and says why", async (_, damage, reason) => {
    const store = new SnapshotStore(dir, IDENTITY, io);
    await store.keep(SNAPSHOT);
    damage(store.file);
    // The cheap look (record and size) catches all but a changed byte, which only the checksum finds; it removes nothing.
    const before = fs.readdirSync(dir).sort();
    const look = store.look();
    if (reason.source === "checksum") expect(look).toMatchObject({ state: "usable", file: store.file, bytes: fs.statSync(store.file).size });
    else expect(look.state === "damaged" && look.reason).toMatch(reason);
    expect(fs.readdirSync(dir).sort()).toEqual(before);
    const check = await store.check();
    expect(check.state).toBe("damaged");
    expect(check.state === "damaged" && check.reason).toMatch(reason);
    expect(fs.readdirSync(dir)).toEqual([]);
    // A fresh boot keeps a new one, which is then offered.
    await store.keep(SNAPSHOT);
    expect((await store.check()).state).toBe("usable");
  });

  it("looks without reading the bytes: a kept snapshot is offered at once, a missing one is not", async () => {
    const store = new SnapshotStore(dir, IDENTITY, io);
    expect(store.look()).toEqual({ state: "missing" });
    await store.keep(SNAPSHOT);
    const reads: string[] = [];
    const counting = new SnapshotStore(dir, IDENTITY, { ...io, read: (path) => (reads.push(path), io.read(path)) });
    expect(counting.look()).toEqual(await counting.check());
    expect(reads).toHaveLength(2); // the check's reads only
  });

  it("gives the bytes it would send a page only when their record and checksum hold, removing nothing", async () => {
    const store = new SnapshotStore(dir, IDENTITY, io);
    expect(await store.verifiedBytes()).toBeNull(); // none kept
    await store.keep(SNAPSHOT);
    const kept = new Uint8Array(fs.readFileSync(store.file));
    expect(await store.verifiedBytes()).toEqual(kept);
    const damaged = kept.slice();
    damaged[damaged.length >> 1] ^= 0xff; // same size: only the checksum tells
    fs.writeFileSync(store.file, damaged);
    expect(await store.verifiedBytes()).toBeNull();
    expect(fs.existsSync(store.file)).toBe(true); // check() removes, this does not
    fs.writeFileSync(store.file, kept);
    fs.rmSync(`${store.file}.json`);
    expect(await store.verifiedBytes()).toBeNull(); // no record
    const other = new SnapshotStore(dir, { ...IDENTITY, harnessSha256: "cd".repeat(32) }, io);
    expect(await other.verifiedBytes()).toBeNull();
  });

  it("drops a record left without its snapshot", async () => {
    const store = new SnapshotStore(dir, IDENTITY, io);
    await store.keep(SNAPSHOT);
    fs.rmSync(store.file);
    expect(await store.check()).toEqual({ state: "missing" });
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
