/**
 * The real worker (src/webview/worker.ts, bundled from source) and runtime on
 * real Pyodide in worker threads: the harness is baked into the interpreter
 * snapshot, a later start restores it (fetched gzip-compressed over HTTP, as
 * the panel does), and a stale or broken snapshot means a fresh boot that
 * still runs the tests (and keeps a new snapshot). A snapshot offered before
 * the host checked its checksum is restored only on a good verdict, whether
 * the verdict comes before or after the bytes; a damaged one boots afresh.
 */

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchAhead } from "../src/lib/fetchAhead";
import { entryUrl, PAGE_CACHE_NAME, snapshotKey } from "../src/lib/pageCache";
import { PyodideRuntime, type WorkerLike } from "../src/lib/pyodideRuntime";
import type { RunTestsParams } from "../src/lib/runTests";
// @ts-expect-error: plain JavaScript, shared with tests/extension/bank_pyodide.mjs
import { threadWorkers } from "../../tests/extension/worker_thread.mjs";

const EXTENSION = resolve(__dirname, "..");
const REPO = resolve(EXTENSION, "..");
const PYTHON = process.env.PYTHON ?? join(REPO, ".venv", "bin", "python");
const pyodideDir = dirname(createRequire(import.meta.url).resolve("pyodide/package.json"));

let scratch: string;
let solution: RunTestsParams;
let loop: RunTestsParams;
let server: Server;
let createWorker: () => WorkerLike;
/** Workers whose thread has a Cache Storage in `cacheDir` (a web page's origin cache, lib/pageCache.ts). */
let createCachingWorker: () => WorkerLike;
let cacheDir: string;
let base: string;
/** The paths the file server was asked for. */
const served: string[] = [];
/** Paths whose answer waits until this promise settles. */
const holds = new Map<string, Promise<unknown>>();

beforeAll(async () => {
  // The server's own request and harness for a correct solution (tests/extension/harness_cases.py).
  const cases = spawnSync(PYTHON, [join(REPO, "tests", "extension", "harness_cases.py")], { encoding: "utf8" });
  if (cases.status !== 0) throw new Error(`harness_cases.py failed: ${cases.stderr}`);
  ({ solution: { params: solution }, loop: { params: loop } } = JSON.parse(cases.stdout).cases);
  scratch = mkdtempSync(join(tmpdir(), "pytrix-worker-snapshot-"));
  createWorker = await threadWorkers(scratch);
  cacheDir = join(scratch, "page-cache");
  createCachingWorker = await threadWorkers(scratch, { cacheDir });
  // Kept snapshots, served from the scratch folder as the webview serves global storage.
  server = createServer((req, res) => {
    served.push(req.url ?? "");
    void (holds.get(req.url ?? "") ?? Promise.resolve()).then(() => {
      try {
        res.end(readFileSync(join(scratch, (req.url ?? "/").slice(1))));
      } catch {
        res.statusCode = 404;
        res.end();
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
}, 120_000);

afterAll(() => {
  server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Serve bytes as a kept snapshot file; returns its URL. */
function kept(name: string, bytes: Uint8Array): string {
  writeFileSync(join(scratch, name), bytes);
  return `${base}/${name}`;
}

/**
 * Start a runtime on a kept snapshot (bytes, a URL, or nothing) with `harness`,
 * run the solution, and report how it started; with `restart`, an endless loop
 * then makes the runtime replace its worker, and how that one started is reported too.
 */
async function session(
  keptSnapshot: { bytes?: ArrayBuffer; url?: string; fetchedAhead?: boolean; verdict?: Promise<boolean> },
  harness: string,
  restart = false,
  onLog: (text: string, runtime: PyodideRuntime) => void = () => undefined,
  pageCache?: { files: Record<string, string>; keeps?: boolean },
) {
  const logs: string[] = [];
  let reported: () => void = () => undefined;
  const cachedKeys: string[][] = [];
  const cacheReported = new Promise<void>((done) => (reported = done));
  let snapshot = null as ArrayBuffer | null;
  let passedOn: () => void = () => undefined;
  const snapshotKept = new Promise<void>((done) => (passedOn = done));
  const runtime = new PyodideRuntime({
    createWorker: pageCache ? createCachingWorker : createWorker,
    ...(pageCache
      ? {
          cache: pageCache.files,
          onCached: (keys: string[]) => {
            cachedKeys.push(keys);
            reported();
          },
        }
      : {}),
    indexURL: `${pyodideDir}/`,
    isolated: false,
    initialSnapshot: async () => keptSnapshot.bytes?.slice(0) ?? null,
    snapshotUrl: keptSnapshot.url,
    // The host's checksum verdict, when it offered the snapshot before checking it.
    snapshotVerdict: keptSnapshot.verdict,
    // As the panel does: the page fetches the kept snapshot itself, ahead, and hands the bytes to the worker.
    ahead: keptSnapshot.fetchedAhead && keptSnapshot.url ? fetchAhead(fetch, [keptSnapshot.url]) : undefined,
    harness: async () => harness,
    onSnapshot: (bytes) => {
      snapshot = bytes;
      passedOn();
    },
    onLog: (text) => {
      logs.push(text);
      onLog(text, runtime);
    },
  });
  try {
    const result = await runtime.run({ ...solution, harness: solution.harness });
    const passed = result.events.filter((e) => e.event === "test" && e.outcome === "returned").length;
    const path = runtime.current.startPath;
    if (path !== "restored") await snapshotKept;
    let replacement: string | undefined;
    if (restart) {
      const stuck = await runtime.run({ ...loop, harness });
      expect(stuck.timedOut).toEqual({ "0": loop.testTimeout });
      await runtime.start();
      replacement = runtime.current.startPath;
    }
    // What the worker had to fetch is kept in the page's cache after its first run.
    if (pageCache?.keeps) await cacheReported;
    return { path, replacement, passed, total: solution.request.tests.length, snapshot, logs, cachedKeys };
  } finally {
    runtime.dispose();
  }
}

describe("the Pyodide worker's kept snapshot (real Pyodide)", () => {
  let first: Awaited<ReturnType<typeof session>>;

  it("boots afresh without a snapshot, loads the harness and keeps a snapshot with it", async () => {
    first = await session({}, solution.harness);
    expect(first.path).toBe("fresh");
    expect(first.passed).toBe(first.total);
    expect(first.snapshot).not.toBeNull();
    expect(first.logs.find((line) => line.startsWith("Pyodide ready"))).toMatch(/booted \(no snapshot\) with the harness loaded/);
  }, 120_000);

  it("restores the kept snapshot (fetched gzip-compressed by the worker) with the harness already loaded", async () => {
    const url = kept("good.snapshot", gzipSync(new Uint8Array(first.snapshot!), { level: 1 }));
    const later = await session({ url }, solution.harness, true);
    expect(later.path).toBe("restored");
    // The worker sent the fetched bytes back: a replacement worker restores them too.
    expect(later.replacement).toBe("restored");
    expect(later.passed).toBe(later.total);
    expect(later.snapshot).toBeNull(); // nothing new to keep
    expect(later.logs.find((line) => line.startsWith("Pyodide ready"))).toMatch(/restored from the kept snapshot with the harness loaded.*harness 0 ms/);
  }, 120_000);

  it("restores a kept snapshot the page fetched ahead, the worker never fetching it", async () => {
    const url = kept("ahead.snapshot", gzipSync(new Uint8Array(first.snapshot!), { level: 1 }));
    served.length = 0;
    const later = await session({ url, fetchedAhead: true }, solution.harness);
    expect(later.path).toBe("restored");
    expect(later.passed).toBe(later.total);
    // Asked for once: by the page, not again by the worker.
    expect(served).toEqual(["/ahead.snapshot"]);
    expect(later.logs.some((line) => /could not fetch/.test(line))).toBe(false);
  }, 120_000);

  it("in web VS Code, keeps a fetched snapshot decompressed in the page's cache, restores a later start from there without fetching it, and never uses an entry with other bytes", async () => {
    const raw = new Uint8Array(first.snapshot!);
    const key = snapshotKey(createHash("sha256").update(raw).digest("hex"));
    const url = kept("cached.snapshot", gzipSync(raw, { level: 1 }));
    const files = { [url]: key };
    // 1. Not in the cache yet: fetched, restored, then kept there (decompressed) after the first run.
    served.length = 0;
    const fetching = await session({ url }, solution.harness, false, undefined, { files, keeps: true });
    expect(fetching.path).toBe("restored");
    expect(served).toEqual(["/cached.snapshot"]);
    expect(fetching.logs).toContain("from the page's cache: nothing");
    expect(fetching.logs).toContain("kept in the page's cache: cached.snapshot");
    expect(fetching.cachedKeys).toEqual([[key]]);
    // 2. A later start: restored from the cache, the snapshot's URL never asked for.
    served.length = 0;
    const fromCache = await session({ url }, solution.harness, false, undefined, { files });
    expect(fromCache.path).toBe("restored");
    expect(fromCache.passed).toBe(fromCache.total);
    expect(served).toEqual([]);
    expect(fromCache.logs).toContain("from the page's cache: cached.snapshot");
    // 3. Another page's bytes under that key: not used (removed), fetched and restored as before, and kept again.
    const entry = join(cacheDir, encodeURIComponent(PAGE_CACHE_NAME), createHash("sha256").update(entryUrl(key)).digest("hex"));
    writeFileSync(entry, gzipSync(raw));
    served.length = 0;
    const tampered = await session({ url }, solution.harness, false, undefined, { files, keeps: true });
    expect(tampered.path).toBe("restored");
    expect(served).toEqual(["/cached.snapshot"]);
    expect(tampered.logs).toContain(`the page's cache held ${key} with other bytes (written by another page, or damaged): not used, removed`);
    expect(tampered.cachedKeys).toEqual([[key]]);
    expect(createHash("sha256").update(readFileSync(entry)).digest("hex")).toBe(key.split("/")[1]);
    // 4. Not in the cache, and the URL now serves other bytes than the key names (another window kept
    // a new snapshot meanwhile): never restored, never kept; Python boots afresh.
    rmSync(entry);
    const changed = raw.slice();
    changed[changed.length >> 1] ^= 0xff;
    writeFileSync(join(scratch, "cached.snapshot"), gzipSync(changed, { level: 1 }));
    const swapped = await session({ url }, solution.harness, false, undefined, { files });
    expect(swapped.path).toBe("failed");
    expect(swapped.passed).toBe(swapped.total);
    expect(swapped.logs).toContain("could not restore the interpreter snapshot (Error: its bytes are not the ones the host offered); starting afresh");
    expect(swapped.cachedKeys).toEqual([]);
    expect(existsSync(entry)).toBe(false);
  }, 180_000);

  it("never uses a snapshot holding another harness: boots afresh and keeps a new one", async () => {
    const changed = `${solution.harness}\n# a newer harness\n`;
    const stale = await session({ bytes: first.snapshot! }, changed);
    expect(stale.path).toBe("stale");
    expect(stale.passed).toBe(stale.total);
    expect(stale.snapshot).not.toBeNull();
    expect(stale.logs).toContain("the interpreter snapshot holds another harness; starting afresh");
  }, 120_000);

  it("boots afresh from a snapshot that does not restore (cut short) and keeps a new one", async () => {
    const url = kept("cut.snapshot", gzipSync(new Uint8Array(first.snapshot!)).subarray(0, 100_000));
    const broken = await session({ url }, solution.harness);
    expect(broken.path).toBe("failed");
    expect(broken.passed).toBe(broken.total);
    expect(broken.snapshot).not.toBeNull();
  }, 120_000);

  describe("offered before the host checked its checksum: restored only on a good verdict", () => {
    const WAITING = /^the kept snapshot's bytes are here \(\d+ ms\); waiting for the host's checksum verdict$/;
    const damagedLine = "the host found the kept snapshot damaged (its checksum); starting afresh";

    /** A verdict given when the worker says the bytes wait for it (and what the runtime's state was then). */
    function onceHeld(good: boolean) {
      let give: (good: boolean) => void = () => undefined;
      const verdict = new Promise<boolean>((done) => (give = done));
      const seen = { stateWhileHeld: "" };
      const onLog = (text: string, runtime: PyodideRuntime) => {
        if (!WAITING.test(text)) return;
        seen.stateWhileHeld = runtime.current.state;
        give(good);
      };
      return { verdict, onLog, seen };
    }

    it("verdict after the bytes: the worker holds them (no restore) until the good verdict, then restores", async () => {
      const url = kept("late-verdict.snapshot", gzipSync(new Uint8Array(first.snapshot!), { level: 1 }));
      served.length = 0;
      const { verdict, onLog, seen } = onceHeld(true);
      const later = await session({ url, fetchedAhead: true, verdict }, solution.harness, false, onLog);
      expect(seen.stateWhileHeld).toBe("loading"); // held: not ready before the verdict
      expect(later.path).toBe("restored");
      expect(later.passed).toBe(later.total);
      expect(later.logs).toContain("the host's checksum verdict on the kept snapshot: good");
      expect(served).toEqual(["/late-verdict.snapshot"]);
    }, 120_000);

    /** A session on a kept snapshot whose bytes are served only once the worker has the verdict (given at once). */
    async function verdictFirst(name: string, good: boolean) {
      const url = kept(name, gzipSync(new Uint8Array(first.snapshot!), { level: 1 }));
      let verdictIn: () => void = () => undefined;
      holds.set(`/${name}`, new Promise<void>((done) => (verdictIn = done)));
      const onLog = (text: string) => {
        if (text === `the host's checksum verdict on the kept snapshot: ${good ? "good" : "damaged"}`) verdictIn();
      };
      try {
        return await session({ url, fetchedAhead: true, verdict: Promise.resolve(good) }, solution.harness, false, onLog);
      } finally {
        holds.delete(`/${name}`);
      }
    }

    it("verdict before the bytes: restored as the bytes arrive, never held", async () => {
      const later = await verdictFirst("early-verdict.snapshot", true);
      expect(later.path).toBe("restored");
      expect(later.passed).toBe(later.total);
      expect(later.logs.some((line) => WAITING.test(line))).toBe(false);
    }, 120_000);

    it("a damaged verdict before the bytes: boots afresh (the bytes dropped, whole as they are) and keeps a new snapshot", async () => {
      const damaged = await verdictFirst("damaged-early.snapshot", false);
      expect(damaged.path).toBe("fresh");
      expect(damaged.passed).toBe(damaged.total);
      expect(damaged.snapshot).not.toBeNull();
      expect(damaged.logs).toContain(damagedLine);
      expect(damaged.logs.find((line) => line.startsWith("Pyodide ready"))).toMatch(/booted \(no snapshot\)/);
    }, 120_000);

    it("a damaged verdict after the bytes: never restored, boots afresh and keeps a new snapshot", async () => {
      const url = kept("damaged-late.snapshot", gzipSync(new Uint8Array(first.snapshot!), { level: 1 }));
      const { verdict, onLog, seen } = onceHeld(false);
      const damaged = await session({ url, fetchedAhead: true, verdict }, solution.harness, false, onLog);
      expect(seen.stateWhileHeld).toBe("loading");
      expect(damaged.path).toBe("fresh");
      expect(damaged.passed).toBe(damaged.total);
      expect(damaged.snapshot).not.toBeNull();
      expect(damaged.logs).toContain(damagedLine);
      expect(damaged.logs.some((line) => /could not restore/.test(line))).toBe(false);
    }, 120_000);
  });
});
