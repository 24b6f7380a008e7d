/**
 * A run's wait for the practice panel's page (src/lib/pageUp.ts): a page that
 * comes up in time lets the run go on; a late one fails the run once the limit
 * since the panel opened has passed, with a message naming what happened and
 * what follows; a panel opened long ago whose page is still not up fails at once.
 */

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PAGE_UP_LIMIT_MS, PageLate, pageUpWithin } from "../src/lib/pageUp";

function deferred() {
  let resolve: () => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

describe("pageUpWithin", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => vi.useRealTimers());

  it("goes on when the page comes up before the limit", async () => {
    const page = deferred();
    const wait = pageUpWithin(page.promise, Date.now());
    await vi.advanceTimersByTimeAsync(PAGE_UP_LIMIT_MS - 1);
    page.resolve();
    await expect(wait).resolves.toBeUndefined();
    // Its timer is gone: nothing fires later.
    await vi.advanceTimersByTimeAsync(PAGE_UP_LIMIT_MS * 2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("fails at the limit since the panel opened, saying what happened and what follows", async () => {
    const page = deferred();
    const openedAt = Date.now();
    await vi.advanceTimersByTimeAsync(2000); // the request came 2 s after the panel opened
    const wait = pageUpWithin(page.promise, openedAt);
    const outcome = wait.then(
      () => "resolved",
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(PAGE_UP_LIMIT_MS - 2000 - 1);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(PageLate);
    expect(String((error as Error).message)).toMatch(/not up 8 s after the panel opened .*sandbox.*Pyodide once the page is up/);
    // The page coming up afterwards changes nothing.
    page.resolve();
    await expect(wait).rejects.toBeInstanceOf(PageLate);
  });

  it("fails at once for a panel opened long ago whose page is still not up", async () => {
    const openedAt = Date.now();
    await vi.advanceTimersByTimeAsync(60_000);
    const wait = pageUpWithin(deferred().promise, openedAt);
    const caught = wait.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    expect(await caught).toBeInstanceOf(PageLate);
  });

  it("goes on at once for a page that is up, however long ago the panel opened", async () => {
    const openedAt = Date.now();
    await vi.advanceTimersByTimeAsync(60_000);
    await expect(pageUpWithin(Promise.resolve(), openedAt)).resolves.toBeUndefined();
  });

  it("passes on the page's own failure", async () => {
    const page = deferred();
    const wait = pageUpWithin(page.promise, Date.now());
    page.reject(new Error("The practice panel was closed."));
    await expect(wait).rejects.toThrow("The practice panel was closed.");
  });
});
