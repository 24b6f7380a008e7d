/**
 * Files fetched ahead (src/lib/fetchAhead.ts) over a real HTTP server: the
 * page starts every fetch at once, the worker answers its requests from the
 * bytes it was handed (never fetching them again), falls back to fetching a
 * file the page could not get, and the runtime hands the files to its first
 * worker only. The kept snapshot is not fetched by the head's script: it is
 * taken from the host's message (or left to the worker without one).
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { AheadFiles, describeAhead, fetchAhead, fetchAheadScript, panelFiles, POSTED_FILE, POSTED_WAIT_MS, PYODIDE_FILES, type AheadFile } from "../src/lib/fetchAhead";
import { PyodideRuntime } from "../src/lib/pyodideRuntime";
import type { ToWorker } from "../src/lib/workerProtocol";
import { FakeWorker } from "./fakeWorker";

const files: Record<string, string> = { "/a.bin": "alpha", "/b.bin": "bravo", "/c.bin": "charlie" };
const requested: string[] = [];
/** While set, requests are held until this many are waiting (so only fetches made together can finish). */
let holdUntil = 0;
let held: Array<() => void> = [];
let server: Server;
let base: string;

function answer(req: IncomingMessage, res: ServerResponse): void {
  const body = files[req.url ?? ""];
  res.statusCode = body === undefined ? 404 : 200;
  res.end(body ?? "");
}

beforeAll(async () => {
  server = createServer((req, res) => {
    requested.push(req.url ?? "");
    if (holdUntil === 0) return answer(req, res);
    held.push(() => answer(req, res));
    if (held.length >= holdUntil) {
      for (const release of held) release();
      held = [];
    }
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});

afterAll(() => {
  server.close();
});

beforeEach(() => {
  requested.length = 0;
  holdUntil = 0;
  held = [];
});

const text = (data: ArrayBuffer | null) => (data === null ? null : new TextDecoder().decode(data));

describe("fetchAhead (the page)", () => {
  it("starts every fetch at once, and gives each file's bytes, or null when it failed", async () => {
    // The server answers only once all three requests are waiting: fetches made one after another never finish.
    holdUntil = 3;
    const ahead = fetchAhead(fetch, [`${base}/a.bin`, `${base}/b.bin`, "", `${base}/a.bin`, `${base}/missing.bin`]);
    expect([...ahead.keys()]).toEqual([`${base}/a.bin`, `${base}/b.bin`, `${base}/missing.bin`]);
    const got = await Promise.all(ahead.values());
    expect(got.map((file) => text(file.data))).toEqual(["alpha", "bravo", null]);
    expect(got[0].bytes).toBe(5);
    expect(describeAhead(got)).toMatch(/^the page fetched ahead: a\.bin \d+ ms \(0\.00 MB\), b\.bin \d+ ms \(0\.00 MB\), missing\.bin failed$/);
  });

  it("gives null for a URL that cannot be fetched at all", async () => {
    const [file] = await Promise.all(fetchAhead(fetch, ["http://127.0.0.1:1/nothing"]).values());
    expect(file.data).toBeNull();
  });
});

describe("fetchAheadScript (the page's head)", () => {
  describe("files posted by the host", () => {
    const scope = globalThis as {
      pytrixAhead?: Map<string, Promise<AheadFile>>;
      pytrixAheadAt?: number;
      addEventListener?: unknown;
      removeEventListener?: unknown;
    };
    let target: EventTarget;
    /** The head script's message listeners still attached. */
    let listening = 0;
    const post = (data: unknown) => target.dispatchEvent(new MessageEvent("message", { data }));
    const URL_ = "https://res/pyodide-1-abc.snapshot";

    beforeEach(() => {
      // The page's window: where the host's messages arrive.
      target = new EventTarget();
      listening = 0;
      scope.addEventListener = (type: string, listener: (event: Event) => void) => {
        listening += 1;
        target.addEventListener(type, listener);
      };
      scope.removeEventListener = (type: string, listener: (event: Event) => void) => {
        listening -= 1;
        target.removeEventListener(type, listener);
      };
    });
    afterEach(() => {
      vi.useRealTimers();
      delete scope.pytrixAhead;
      delete scope.pytrixAheadAt;
      delete scope.addEventListener;
      delete scope.removeEventListener;
    });

    it("are taken from the host's messages, never fetched, and left on globalThis", async () => {
      requested.length = 0;
      new Function(fetchAheadScript([URL_]))();
      expect(typeof scope.pytrixAheadAt).toBe("number");
      const ahead = scope.pytrixAhead!;
      expect([...ahead.keys()]).toEqual([URL_]);
      post({ type: "question", html: "" }); // other messages are not it
      post({ type: POSTED_FILE, url: "https://res/another.snapshot", data: new Uint8Array([9]) });
      const view = new Uint8Array([0, 1, 2, 3, 4, 5]).subarray(1, 4); // a view into a larger buffer
      post({ type: POSTED_FILE, url: URL_, data: view });
      const snapshot = await ahead.get(URL_)!;
      expect([...new Uint8Array(snapshot.data!)]).toEqual([1, 2, 3]);
      expect(snapshot.byHost).toBe(true);
      expect(describeAhead([snapshot])).toMatch(/pyodide-1-abc\.snapshot \d+ ms \(0\.00 MB, from the host\)/);
      expect(requested).toEqual([]);
      // Taken once: the listener is gone, and a second message changes nothing.
      expect(listening).toBe(0);
      post({ type: POSTED_FILE, url: URL_, data: new Uint8Array([7]) });
      expect([...new Uint8Array((await ahead.get(URL_)!).data!)]).toEqual([1, 2, 3]);
    });

    it("each waits for its own message, in any order; the listener goes with the last", async () => {
      const WASM = "https://res/pyodide.asm.wasm.gz";
      new Function(fetchAheadScript([WASM, URL_, ""]))();
      const ahead = scope.pytrixAhead!;
      expect([...ahead.keys()]).toEqual([WASM, URL_]);
      const whole = new Uint8Array([4, 5, 6]);
      post({ type: POSTED_FILE, url: URL_, data: whole });
      const snapshot = await ahead.get(URL_)!;
      expect(snapshot.data).toBe(whole.buffer); // a whole buffer is taken as it is, not copied
      expect(listening).toBe(1); // the wasm still to come
      post({ type: POSTED_FILE, url: WASM, data: new Uint8Array([1]) });
      expect([...new Uint8Array((await ahead.get(WASM)!).data!)]).toEqual([1]);
      expect(listening).toBe(0);
    });

    it("is null when the host could not read it, so the worker fetches it", async () => {
      new Function(fetchAheadScript([URL_]))();
      post({ type: POSTED_FILE, url: URL_, data: null });
      const snapshot = await scope.pytrixAhead!.get(URL_)!;
      expect(snapshot.data).toBeNull();
      expect(listening).toBe(0);
      expect(describeAhead([snapshot])).toBe("the page fetched ahead: pyodide-1-abc.snapshot failed (the host sent no bytes)");
    });

    it("is null when no message comes in time, so the worker fetches it", async () => {
      vi.useFakeTimers();
      new Function(fetchAheadScript([URL_]))();
      const pending = scope.pytrixAhead!.get(URL_)!;
      expect(listening).toBe(1);
      await vi.advanceTimersByTimeAsync(POSTED_WAIT_MS - 1);
      expect(listening).toBe(1); // still waiting just before the limit
      await vi.advanceTimersByTimeAsync(1);
      expect((await pending).data).toBeNull();
      expect(listening).toBe(0);
    });
  });

  it("cannot be ended early by a URL holding </script>", () => {
    const script = fetchAheadScript(["https://res/</script><script>alert(1)</script>"]);
    expect(script).not.toContain("<");
    expect(script).toContain("\\u003c/script>");
  });

  it("lists the panel's files in the order the worker needs them: its script, the harness, the loader, the snapshot when any, the big files", () => {
    const files = panelFiles({ worker: "w.js", harness: "h.py", snapshot: "", pyodide: "p/" });
    expect(files).toEqual(["w.js", "h.py", "p/pyodide.mjs", "p/pyodide.asm.mjs", "p/pyodide-lock.json", "p/pyodide.asm.wasm.gz", "p/python_stdlib.zip"]);
    expect(panelFiles({ worker: "w.js", harness: "h.py", snapshot: "s.snapshot", pyodide: "p/" })).toEqual([
      "w.js", "h.py", "p/pyodide.mjs", "p/pyodide.asm.mjs", "p/pyodide-lock.json", "s.snapshot", "p/pyodide.asm.wasm.gz", "p/python_stdlib.zip",
    ]);
    expect(new Set(files)).toEqual(new Set(["w.js", "h.py", ...PYODIDE_FILES.map((name) => `p/${name}`)]));
  });
});

describe("AheadFiles (the worker)", () => {
  it("answers the page's files from their bytes without fetching them, once each", async () => {
    const files = new AheadFiles();
    const missed: string[] = [];
    const wrapped = files.wrap(fetch, (url) => missed.push(url));
    files.expect([`${base}/a.bin`, `${base}/b.bin`]);
    const answer = wrapped(`${base}/a.bin`); // asked before the bytes arrive: it waits for them
    files.deliver(`${base}/a.bin`, new TextEncoder().encode("from the page").buffer as ArrayBuffer);
    expect(await (await answer).text()).toBe("from the page");
    expect(requested).toEqual([]);
    // Taken once: a second request for it is fetched.
    expect(await (await wrapped(`${base}/a.bin`)).text()).toBe("alpha");
    expect(requested).toEqual(["/a.bin"]);
    expect(missed).toEqual([]);
  });

  it("matches a URL however it is written (Pyodide resolves its URLs before fetching them)", async () => {
    const files = new AheadFiles();
    const wrapped = files.wrap(fetch);
    files.expect([`${base}/dir/../a%2Bb.bin`]);
    files.deliver(`${base}/a%2Bb.bin`, new TextEncoder().encode("ahead").buffer as ArrayBuffer);
    expect(await (await wrapped(new URL(`${base}/./a%2Bb.bin`))).text()).toBe("ahead");
    expect(requested).toEqual([]);
  });

  it("fetches a file the page could not get (and says so), and anything the page is not fetching", async () => {
    const files = new AheadFiles();
    const missed: string[] = [];
    const wrapped = files.wrap(fetch, (url) => missed.push(url));
    files.expect([`${base}/b.bin`]);
    files.deliver(`${base}/b.bin`, null);
    expect(await (await wrapped(`${base}/b.bin`)).text()).toBe("bravo");
    expect(await (await wrapped(`${base}/c.bin`)).text()).toBe("charlie");
    expect(requested).toEqual(["/b.bin", "/c.bin"]);
    expect(missed).toEqual([`${base}/b.bin`]);
    expect(files.take(`${base}/c.bin`)).toBeUndefined();
  });
});

describe("the runtime hands the files fetched ahead to its first worker", () => {
  it("names them in the first worker's init, sends each one's bytes as it arrives, and gives later workers none", async () => {
    const workers: FakeWorker[] = [];
    const bytes = new TextEncoder().encode("snapshot bytes").buffer as ArrayBuffer;
    let arrive: (file: AheadFile) => void = () => undefined;
    const late = new Promise<AheadFile>((done) => (arrive = done));
    const ahead = new Map<string, Promise<AheadFile>>([
      ["u/snapshot", late],
      ["u/failed", Promise.resolve({ url: "u/failed", data: null, ms: 1, bytes: 0 })],
    ]);
    let spawned = 0;
    const runtime = new PyodideRuntime({
      createWorker: () => {
        const worker = new FakeWorker((message, w) => {
          if (message.type !== "init") return;
          spawned += 1;
          // The first worker dies while loading; the second one starts.
          if (spawned === 1) w.send({ type: "loadFailed", message: "no" });
          else w.send({ type: "ready", python: "3.14.2", loadMs: 5 });
        });
        workers.push(worker);
        return worker;
      },
      indexURL: "/pyodide/",
      isolated: false,
      ahead,
    });
    await expect(runtime.start()).rejects.toThrow(/no/);
    arrive({ url: "u/snapshot", data: bytes, ms: 2, bytes: bytes.byteLength });
    await late; // the runtime passed it on first (it was waiting on it before this line)
    const first = workers[0].received;
    const init = first.find((m) => m.type === "init") as Extract<ToWorker, { type: "init" }>;
    expect(init.ahead).toEqual(["u/snapshot", "u/failed"]);
    const sent = first.filter((m): m is Extract<ToWorker, { type: "file" }> => m.type === "file");
    expect(sent.map((m) => [m.url, m.data === null ? null : text(m.data)])).toEqual([
      ["u/failed", null],
      ["u/snapshot", "snapshot bytes"],
    ]);
    await runtime.start();
    const second = workers[1].received;
    expect((second.find((m) => m.type === "init") as Extract<ToWorker, { type: "init" }>).ahead).toBeUndefined();
    expect(second.some((m) => m.type === "file")).toBe(false);
    runtime.dispose();
  });
});
