/**
 * The practice page's own cache of Pyodide's files and the kept interpreter
 * snapshot, in the page origin's Cache Storage (web VS Code: code-server).
 *
 * In code-server every webview shares one origin, and the extension host's
 * channel to the browser is slow while the workbench starts (posting the
 * first worker's 14.5 MB took 1.3-2 s, and everything posted after them, the
 * server's first run among them, waited behind them). So once a page has
 * started Pyodide it keeps the files it used in its origin's cache, each
 * under a key naming its content (its SHA-256, given by the host), and the
 * snapshot decompressed, so a later window's worker reads them locally and
 * skips the 31 MB decompression. The host posts only what the pages have not
 * reported kept; a file the cache lacks after all (another browser, cleared
 * site data) is fetched from its URL as before, and kept again.
 *
 * Entries are named `https://pytrix-cache.invalid/<key>` (Cache Storage takes
 * only http(s) URLs; these are never fetched). Keys start with `pyodide/` for
 * the shipped files and `snapshot/` for a snapshot, and end with the SHA-256
 * of the bytes kept; keeping one removes the entries of its kind that are no
 * longer current.
 *
 * Every read is checked against that SHA-256 before use (Web Crypto, about
 * 40 ms for all of them, off the worker's thread): in code-server the origin
 * is shared with the workbench and every other webview, so an entry another
 * page wrote, or a damaged one, is dropped and the file comes from the host.
 *
 * Plain TypeScript over a minimal Cache Storage interface, unit-tested in Node.
 */

/** The Cache Storage cache the practice page keeps its files in. */
export const PAGE_CACHE_NAME = "pytrix-pyodide-files";
const ENTRY_BASE = "https://pytrix-cache.invalid/";

/** The key of a shipped Pyodide file (`name`, with the SHA-256 of its bytes in hex). */
export function shippedKey(name: string, sha256: string): string {
  return `pyodide/${name}/${sha256}`;
}

/** The key of a kept snapshot, by the SHA-256 of its decompressed bytes (what the cache holds). */
export function snapshotKey(sha256: string): string {
  return `snapshot/${sha256}`;
}

export function entryUrl(key: string): string {
  return `${ENTRY_BASE}${key}`;
}

/** The key an entry's URL names, or null for an entry that is not ours. */
export function keyOf(url: string): string | null {
  return url.startsWith(ENTRY_BASE) ? url.slice(ENTRY_BASE.length) : null;
}

/** Whether `value` is a plausible key (what the host accepts from a page's report). */
export function isKey(value: unknown): value is string {
  return typeof value === "string" && value.length <= 200 && /^(pyodide\/[A-Za-z0-9._-]+|snapshot)\/[0-9a-f]{64}$/.test(value);
}

/** SHA-256 in hex. */
export type Digest = (data: ArrayBuffer) => Promise<string>;

/** The browser's (and Node's) Web Crypto SHA-256. */
export const webDigest: Digest = async (data) =>
  [...new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", data))].map((b) => b.toString(16).padStart(2, "0")).join("");

/** The parts of Cache Storage the page uses (the browser's `caches`, or a test's stand-in). */
export interface CacheStorageLike {
  open(name: string): Promise<CacheLike>;
}

export interface CacheLike {
  match(request: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | undefined>;
  put(request: string, response: Response): Promise<void>;
  keys(): Promise<ReadonlyArray<{ url: string }>>;
  delete(request: string): Promise<boolean>;
}

/**
 * One page's (or worker's) view of the cache: `files` maps each URL the page
 * may need to its key. Lookups start when first asked and are remembered;
 * nothing here throws: a cache that cannot be opened or read is a miss.
 */
export class PageCache {
  private opened: Promise<CacheLike | null> | undefined;
  private readonly lookups = new Map<string, Promise<ArrayBuffer | null>>();
  private readonly hitKeys = new Set<string>();

  constructor(
    private readonly storage: CacheStorageLike | undefined,
    private readonly files: ReadonlyMap<string, string>,
    private readonly onProblem: (text: string) => void = () => undefined,
    private readonly digest: Digest = webDigest,
  ) {}

  /** Whether the cache can be used at all (the browser gives the page Cache Storage). */
  get available(): boolean {
    return this.storage !== undefined;
  }

  /** The key of a URL the page may need, or undefined. */
  keyFor(url: string): string | undefined {
    return this.files.get(url);
  }

  /** Every key this page's files have (the current entries). */
  currentKeys(): Set<string> {
    return new Set(this.files.values());
  }

  /** Whether `url`'s bytes were taken from the cache (by `lookup`). */
  hit(url: string): boolean {
    const key = this.files.get(url);
    return key !== undefined && this.hitKeys.has(key);
  }

  /** Start reading every file now (in parallel), so each is ready when `lookup` asks for it. */
  prefetch(): void {
    for (const key of this.files.values()) {
      if (this.storage && !this.lookups.has(key)) this.lookups.set(key, this.read(key));
    }
  }

  /**
   * The cached bytes of `url` (null: not cached, or unreadable), or undefined when `url` has no
   * key. Taken once: the cache forgets bytes it has handed out (a second call reads them again).
   */
  lookup(url: string): Promise<ArrayBuffer | null> | undefined {
    const key = this.files.get(url);
    if (key === undefined || !this.storage) return undefined;
    const found = this.lookups.get(key) ?? this.read(key);
    this.lookups.delete(key);
    return found.then((data) => {
      if (data !== null) this.hitKeys.add(key);
      return data;
    });
  }

  /** Read one entry, checked against its key's SHA-256 (an entry with other bytes is removed). */
  private read(key: string): Promise<ArrayBuffer | null> {
    return this.open()
        .then(async (cache) => {
          const response = await cache?.match(entryUrl(key));
          if (!response) return null;
          const data = await response.arrayBuffer();
          if ((await this.digest(data)) !== key.slice(key.lastIndexOf("/") + 1)) {
            this.onProblem(`the page's cache held ${key} with other bytes (written by another page, or damaged): not used, removed`);
            await cache?.delete(entryUrl(key));
            return null;
          }
          return data;
        })
        .catch((error: unknown) => {
          this.onProblem(`could not read ${key} from the page's cache (${String(error)})`);
          return null;
        });
  }

  /**
   * Keep these entries (key and bytes; each copied into the cache), then remove the
   * entries of the same kinds (`pyodide/`, `snapshot/`) that `current` does not name, and
   * any entry of ours whose name is not a key (another page's). Resolves with the keys
   * the cache then holds that `current` or `reportable` name (what the page reports to the
   * host: never another page's); a failure is reported to `onProblem` and the keys still listed.
   */
  async keep(
    entries: ReadonlyArray<{ key: string; data: ArrayBuffer | Uint8Array<ArrayBuffer> }>,
    current: ReadonlySet<string>,
    reportable: ReadonlySet<string> = current,
  ): Promise<string[]> {
    const cache = await this.open();
    if (!cache) return [];
    for (const { key, data } of entries) {
      try {
        await cache.put(entryUrl(key), new Response(data)); // the Response takes a copy
      } catch (error) {
        this.onProblem(`could not keep ${key} in the page's cache (${String(error)})`);
      }
    }
    const kinds = new Set([...entries.map((e) => kindOf(e.key))]);
    try {
      const held: string[] = [];
      for (const request of await cache.keys()) {
        const key = keyOf(request.url);
        if (key === null) continue;
        if (!isKey(key) || (kinds.has(kindOf(key)) && !current.has(key))) {
          await cache.delete(request.url);
        } else if (current.has(key) || reportable.has(key)) {
          held.push(key);
        }
      }
      return held.sort();
    } catch (error) {
      this.onProblem(`could not list the page's cache (${String(error)})`);
      return [];
    }
  }

  private open(): Promise<CacheLike | null> {
    if (!this.opened) {
      const storage = this.storage;
      this.opened = storage
        ? storage.open(PAGE_CACHE_NAME).catch((error: unknown) => {
            this.onProblem(`could not open the page's cache (${String(error)})`);
            return null;
          })
        : Promise.resolve(null);
    }
    return this.opened;
  }
}

function kindOf(key: string): string {
  return key.split("/", 1)[0];
}

/** The browser's Cache Storage where the page has it (a secure context), else undefined. */
export function browserCaches(): CacheStorageLike | undefined {
  const storage = (globalThis as { caches?: CacheStorageLike }).caches;
  return storage && typeof storage.open === "function" ? storage : undefined;
}
