import { createServer, type Server } from "node:http";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compressedFirst } from "../src/lib/wasmFetch";

// A file server like the webview's resource loader: only what is listed exists.
const WASM = new Uint8Array(100_000).map((_, i) => (i * 7) % 256);
const files: Record<string, Uint8Array> = {
  "/packed/pyodide.asm.wasm.gz": gzipSync(WASM),
  "/plain/pyodide.asm.wasm": WASM,
  "/plain/python_stdlib.zip": new Uint8Array([1, 2, 3]),
};
const requested: string[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    requested.push(req.url ?? "");
    const body = files[req.url ?? ""];
    res.statusCode = body ? 200 : 404;
    res.end(body ?? "");
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});

afterAll(() => {
  server.close();
});

describe("compressedFirst", () => {
  it("answers a .wasm request with the decompressed .gz beside it, typed for streaming compilation", async () => {
    const plain: string[] = [];
    const fetchWasm = compressedFirst(fetch, (url) => plain.push(url));
    requested.length = 0;
    const response = await fetchWasm(`${base}/packed/pyodide.asm.wasm`);
    expect(response.headers.get("Content-Type")).toBe("application/wasm");
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(WASM);
    expect(requested).toEqual(["/packed/pyodide.asm.wasm.gz"]);
    expect(plain).toEqual([]); // the fall-back did not run
  });

  it("fetches the plain file when there is no compressed copy", async () => {
    const plain: string[] = [];
    const fetchWasm = compressedFirst(fetch, (url) => plain.push(url));
    const response = await fetchWasm(new URL(`${base}/plain/pyodide.asm.wasm`));
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(WASM);
    expect(plain).toEqual([`${base}/plain/pyodide.asm.wasm`]);
  });

  it("leaves every other request alone", async () => {
    const fetchWasm = compressedFirst(fetch);
    requested.length = 0;
    const response = await fetchWasm(`${base}/plain/python_stdlib.zip`);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    expect(requested).toEqual(["/plain/python_stdlib.zip"]);
  });
});
