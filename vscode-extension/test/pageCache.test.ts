/**
 * The practice page's own cache (src/lib/pageCache.ts) over an in-memory
 * Cache Storage: lookups by key, keeping entries and removing the stale ones
 * of the same kind, and failures taken as misses with a reason.
 */

import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  entryUrl,
  isKey,
  keyOf,
  PAGE_CACHE_NAME,
  PageCache,
  shippedKey,
  snapshotKey,
  type CacheLike,
  type CacheStorageLike,
} from "../src/lib/pageCache";
import { isKey as acceptedByHost } from "../src/lib/pageCache";
import { parseFromPractice, parseToPractice } from "../src/lib/messages";
import { parseFromWorker } from "../src/lib/workerProtocol";

const SHA_A = "a".repeat(64);
const SHA_B = "b".repeat(64);
const sha = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/** Cache Storage in memory: one Map of URL to bytes per cache name; `fail` makes an operation throw. */
class MemoryCaches implements CacheStorageLike {
  readonly caches = new Map<string, Map<string, Uint8Array>>();
  fail: { open?: boolean; put?: boolean; match?: boolean } = {};
  opened: string[] = [];
  matched = 0;

  async open(name: string): Promise<CacheLike> {
    if (this.fail.open) throw new Error("quota");
    this.opened.push(name);
    let entries = this.caches.get(name);
    if (!entries) this.caches.set(name, (entries = new Map()));
    const store = entries;
    return {
      match: async (url) => {
        this.matched += 1;
        if (this.fail.match) throw new Error("unreadable");
        const bytes = store.get(url);
        return bytes ? new Response(bytes.slice()) : undefined;
      },
      put: async (url, response) => {
        if (this.fail.put) throw new Error("QuotaExceededError");
        store.set(url, new Uint8Array(await response.arrayBuffer()));
      },
      keys: async () => [...store.keys()].map((url) => ({ url })),
      delete: async (url) => store.delete(url),
    };
  }

  entries(): Map<string, Uint8Array> {
    return this.caches.get(PAGE_CACHE_NAME) ?? new Map();
  }
}

const bytes = (...values: number[]) => new Uint8Array(values);
const text = (data: ArrayBuffer | null) => (data ? [...new Uint8Array(data)] : null);

describe("PageCache", () => {
  it("names entries by key, and takes back only its own", () => {
    expect(shippedKey("pyodide.mjs", SHA_A)).toBe(`pyodide/pyodide.mjs/${SHA_A}`);
    expect(snapshotKey(SHA_B)).toBe(`snapshot/${SHA_B}`);
    expect(keyOf(entryUrl(snapshotKey(SHA_B)))).toBe(`snapshot/${SHA_B}`);
    expect(keyOf("https://example.com/snapshot/x")).toBeNull();
    expect(isKey(shippedKey("python_stdlib.zip", SHA_A))).toBe(true);
    expect(isKey(snapshotKey(SHA_B))).toBe(true);
    for (const bad of ["", "other/x", "pyodide/../../x", `pyodide/x/${SHA_A}/more`, `snapshot/x/${SHA_A}`, "snapshot/abc", `pyodide/a b/${SHA_A}`, 7, null, `pyodide/${"x".repeat(300)}/${SHA_A}`]) {
      expect(isKey(bad)).toBe(false);
    }
  });

  it("reads a kept file back by its key (read ahead by prefetch, then forgotten once handed out), and says it came from the cache", async () => {
    const storage = new MemoryCaches();
    const key = shippedKey("pyodide.mjs", sha(bytes(1, 2, 3)));
    const files = new Map([["https://res/pyodide.mjs", key]]);
    await new PageCache(storage, files).keep([{ key, data: bytes(1, 2, 3) }], new Set(files.values()));
    const cache = new PageCache(storage, files);
    cache.prefetch();
    expect(storage.matched).toBe(0); // the read starts once the cache is open
    expect(cache.hit("https://res/pyodide.mjs")).toBe(false);
    expect(text(await cache.lookup("https://res/pyodide.mjs")!)).toEqual([1, 2, 3]);
    expect(storage.matched).toBe(1);
    expect(cache.hit("https://res/pyodide.mjs")).toBe(true);
    // Not held after it was handed out: asked again, it is read again.
    expect(text(await cache.lookup("https://res/pyodide.mjs")!)).toEqual([1, 2, 3]);
    expect(storage.matched).toBe(2);
    expect(cache.lookup("https://res/other.js")).toBeUndefined();
    expect(storage.opened).toEqual([PAGE_CACHE_NAME, PAGE_CACHE_NAME]);
  });

  it("misses a file kept under another key (another version's bytes are never used)", async () => {
    const storage = new MemoryCaches();
    const old = new Map([["https://res/pyodide.asm.mjs", shippedKey("pyodide.asm.mjs", sha(bytes(9)))]]);
    await new PageCache(storage, old).keep([{ key: shippedKey("pyodide.asm.mjs", sha(bytes(9))), data: bytes(9) }], new Set(old.values()));
    const now = new PageCache(storage, new Map([["https://res/pyodide.asm.mjs", shippedKey("pyodide.asm.mjs", sha(bytes(8)))]]));
    expect(await now.lookup("https://res/pyodide.asm.mjs")).toBeNull();
    expect(now.hit("https://res/pyodide.asm.mjs")).toBe(false);
  });

  it("keeping removes the stale entries of the kinds it keeps, and leaves the other kind alone", async () => {
    const storage = new MemoryCaches();
    const cache = new PageCache(storage, new Map());
    const oldShipped = shippedKey("pyodide.mjs", SHA_A);
    const oldSnapshot = snapshotKey(SHA_A);
    await cache.keep([{ key: oldShipped, data: bytes(1) }, { key: oldSnapshot, data: bytes(2) }], new Set([oldShipped, oldSnapshot]));
    // A new Pyodide file: the old one goes, the snapshot stays (keeping shipped files touches no snapshot).
    const newShipped = shippedKey("pyodide.mjs", SHA_B);
    expect(await cache.keep([{ key: newShipped, data: bytes(3) }], new Set([newShipped]), new Set([newShipped, oldSnapshot]))).toEqual([newShipped, oldSnapshot].sort());
    // A new snapshot: the old one goes.
    const newSnapshot = snapshotKey(SHA_B);
    expect(await cache.keep([{ key: newSnapshot, data: bytes(4) }], new Set([newSnapshot]), new Set([newShipped, newSnapshot]))).toEqual([newShipped, newSnapshot].sort());
    expect([...storage.entries().keys()].map((url) => keyOf(url)).sort()).toEqual([newShipped, newSnapshot].sort());
  });

  it("never uses an entry whose bytes do not match its key (another page wrote it, or it is damaged): it is removed, and why is said", async () => {
    const storage = new MemoryCaches();
    const key = snapshotKey(sha(bytes(1, 2, 3)));
    await (await storage.open(PAGE_CACHE_NAME)).put(entryUrl(key), new Response(bytes(6, 6, 6)));
    const problems: string[] = [];
    const cache = new PageCache(storage, new Map([["s", key]]), (t) => problems.push(t));
    expect(await cache.lookup("s")).toBeNull();
    expect(cache.hit("s")).toBe(false);
    expect(problems).toEqual([`the page's cache held ${key} with other bytes (written by another page, or damaged): not used, removed`]);
    expect(storage.entries().size).toBe(0);
  });

  it("reports only the keys it was given (never another page's), and removes entries of ours that are not keys", async () => {
    const storage = new MemoryCaches();
    const raw = await storage.open(PAGE_CACHE_NAME);
    const foreign = shippedKey("evil.js", SHA_B);
    await raw.put(entryUrl(foreign), new Response(bytes(1)));
    await raw.put(entryUrl("junk"), new Response(bytes(2)));
    await raw.put("https://example.com/theirs", new Response(bytes(3)));
    const mine = shippedKey("pyodide.mjs", sha(bytes(4)));
    const snapshot = snapshotKey(sha(bytes(5)));
    const cache = new PageCache(storage, new Map());
    // The page keeps its snapshot, and reports its shipped file's key along with it.
    await cache.keep([{ key: mine, data: bytes(4) }], new Set([mine]));
    expect(await cache.keep([{ key: snapshot, data: bytes(5) }], new Set([snapshot]), new Set([mine, snapshot]))).toEqual([mine, snapshot].sort());
    expect([...storage.entries().keys()].sort()).toEqual([entryUrl(mine), entryUrl(snapshot), "https://example.com/theirs"].sort());
  });

  it("takes a cache it cannot open or read as a miss, and says why", async () => {
    const problems: string[] = [];
    const storage = new MemoryCaches();
    storage.fail.open = true;
    const files = new Map([["u", snapshotKey(SHA_A)]]);
    const cache = new PageCache(storage, files, (t) => problems.push(t));
    expect(await cache.lookup("u")).toBeNull();
    expect(await cache.keep([{ key: snapshotKey(SHA_A), data: bytes(1) }], new Set())).toEqual([]);
    expect(problems[0]).toMatch(/could not open the page's cache \(Error: quota\)/);
    const unreadable = new MemoryCaches();
    unreadable.fail.match = true;
    const reading: string[] = [];
    expect(await new PageCache(unreadable, files, (t) => reading.push(t)).lookup("u")).toBeNull();
    expect(reading).toEqual([`could not read snapshot/${SHA_A} from the page's cache (Error: unreadable)`]);
  });

  it("reports a put that fails (the quota) and still lists what the cache holds", async () => {
    const storage = new MemoryCaches();
    const problems: string[] = [];
    const cache = new PageCache(storage, new Map(), (t) => problems.push(t));
    const kept = shippedKey("pyodide.mjs", SHA_A);
    await cache.keep([{ key: kept, data: bytes(1) }], new Set([kept]));
    storage.fail.put = true;
    expect(await cache.keep([{ key: snapshotKey(SHA_B), data: bytes(2) }], new Set([snapshotKey(SHA_B)]), new Set([kept, snapshotKey(SHA_B)]))).toEqual([kept]);
    expect(problems).toEqual([`could not keep snapshot/${SHA_B} in the page's cache (Error: QuotaExceededError)`]);
  });

  it("without Cache Storage (not a secure context) is unavailable and never looks anything up", () => {
    const cache = new PageCache(undefined, new Map([["u", snapshotKey(SHA_A)]]));
    expect(cache.available).toBe(false);
    expect(cache.lookup("u")).toBeUndefined();
  });
});

describe("the cache's messages", () => {
  it("the host takes a page's report of its keys only when every key is one of ours", () => {
    const keys = [shippedKey("pyodide.mjs", SHA_A), snapshotKey(SHA_B)];
    expect(parseFromPractice({ type: "cached", keys })).toEqual({ type: "cached", keys });
    expect(parseFromPractice({ type: "cached", keys: [...keys, "../../etc/passwd"] })).toBeNull();
    expect(parseFromPractice({ type: "cached", keys: "pyodide/x" })).toBeNull();
    const many = Array.from({ length: 33 }, (_, i) => shippedKey(`f${i}`, SHA_A));
    expect(parseFromPractice({ type: "cached", keys: many.slice(0, 32) })).toEqual({ type: "cached", keys: many.slice(0, 32) });
    expect(parseFromPractice({ type: "cached", keys: many })).toBeNull();
    expect(keys.every(acceptedByHost)).toBe(true);
  });

  it("the page takes the host's new snapshot key, and the worker's report of the cache", () => {
    expect(parseToPractice({ type: "snapshotKept", key: snapshotKey(SHA_A) })).toEqual({ type: "snapshotKept", key: snapshotKey(SHA_A) });
    expect(parseToPractice({ type: "snapshotKept", key: 3 })).toBeNull();
    expect(parseFromWorker({ type: "cached", keys: [snapshotKey(SHA_A)] })).toEqual({ type: "cached", keys: [snapshotKey(SHA_A)] });
    expect(parseFromWorker({ type: "cached", keys: [1] })).toBeNull();
  });
});
