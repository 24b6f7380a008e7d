/**
 * The worker's wait for the host's checksum verdict on the kept snapshot.
 *
 * The host offers the kept snapshot as soon as its cheap checks pass (its
 * record, its size: lib/snapshotStore.ts `look()`), so the page fetches it
 * from its first moment, and sends the verdict on its checksum when it is
 * known (`check()`). The worker hands Pyodide the snapshot's bytes only once
 * that verdict is "good": bytes that arrive first are held; a "damaged"
 * verdict means a fresh boot and the bytes are dropped. So a damaged snapshot
 * is never restored, however the bytes and the verdict are ordered.
 *
 * Plain TypeScript, unit-tested in Node.
 */

/** The host found the kept snapshot damaged (its checksum): it must not be restored. */
export class DamagedSnapshot extends Error {
  constructor() {
    super("the host found the kept snapshot damaged (its checksum does not match)");
    this.name = "DamagedSnapshot";
  }
}

export class SnapshotVerdict {
  private good: boolean | undefined;
  private give: (good: boolean) => void = () => undefined;
  private readonly given = new Promise<boolean>((resolve) => (this.give = resolve));

  /** The host's verdict arrived (true: good). The first one counts. */
  settle(good: boolean): void {
    if (this.good !== undefined) return;
    this.good = good;
    this.give(good);
  }

  /** The verdict, or undefined while it has not arrived. */
  get known(): boolean | undefined {
    return this.good;
  }

  /**
   * `bytes`, released only once the verdict is good. A damaged verdict rejects
   * with `DamagedSnapshot` as soon as it arrives (the bytes, whenever they come,
   * are dropped); with a good one, the bytes' own outcome. `onHeld` is told when
   * the bytes came first and wait for the verdict.
   */
  async release<T>(bytes: Promise<T>, onHeld?: () => void): Promise<T> {
    const outcome = bytes.then(
      (data) => ({ ok: true as const, data }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const first = await Promise.race([outcome.then(() => "bytes" as const), this.given.then(() => "verdict" as const)]);
    if (first === "bytes" && this.good === undefined) onHeld?.();
    if (!(await this.given)) throw new DamagedSnapshot();
    const got = await outcome;
    if (!got.ok) throw got.error;
    return got.data;
  }
}
