/**
 * Start the Pyodide worker the way that works inside VS Code webviews: fetch
 * the bundled worker script and run it as a module worker from a blob URL
 * (CSP `worker-src blob:`), since workers loaded straight from webview
 * resource URLs are unreliable.
 */

import type { WorkerLike } from "../lib/pyodideRuntime";

export async function blobWorkerFactory(workerUrl: string, fetchedAhead?: Promise<ArrayBuffer | null>): Promise<() => WorkerLike> {
  // The script's bytes when the page fetched them ahead (lib/fetchAhead.ts), else fetch it now.
  let source: ArrayBuffer | string | null = fetchedAhead ? await fetchedAhead : null;
  if (source === null) {
    const response = await fetch(workerUrl);
    if (!response.ok) {
      throw new Error(`Could not fetch the Pyodide worker (${response.status} ${response.statusText})`);
    }
    source = await response.text();
  }
  const blobUrl = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  return () => new Worker(blobUrl, { type: "module", name: "pytrix-pyodide" }) as unknown as WorkerLike;
}
