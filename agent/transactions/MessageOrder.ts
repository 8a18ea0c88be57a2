/**
 * Causal order of one charger's OCPP messages per connector (DESIGN.md §11): a StatusNotification
 * never overtakes the StartTransaction or StopTransaction of the same connector that happened
 * before it, while it waits for nothing else (not for a CSMS answer, not for other connectors).
 *
 * A transaction message takes a *ticket* the moment its event happens (a start or stop is asked
 * for; the meter read and the journal write come later) and gives it back once it has been handed
 * to the link, whose calls leave one at a time in call order, or once it will never be sent. A
 * status takes a *mark* (the newest ticket so far) when it happens and is handed to the link only
 * when no ticket of its connector up to that mark is still out. Tickets are numbers and the
 * queues are per connector, made on first use: a charger that never waited holds no map at all
 * (10,000 of them run in a fleet).
 */

interface Waiting {
  mark: number;
  run: () => void;
}

export class MessageOrder {
  private lastTicket = 0;
  /** connectorId of every ticket still out. */
  private out: Map<number, number> | undefined;
  /** Jobs waiting per connector, in the order they were queued. */
  private waiting: Map<number, Waiting[]> | undefined;

  /** A ticket for a transaction message of `connectorId` that is not yet with the link. */
  reserve(connectorId: number): number {
    const ticket = ++this.lastTicket;
    (this.out ??= new Map()).set(ticket, connectorId);
    return ticket;
  }

  /** The message of `ticket` is with the link, or will never be sent. Idempotent. */
  release(ticket: number): void {
    const connectorId = this.out?.get(ticket);
    if (connectorId === undefined) return;
    this.out!.delete(ticket);
    if (this.out!.size === 0) this.out = undefined;
    this.runReady(connectorId);
  }

  /** The newest ticket reserved so far: what happens now follows every message up to it. */
  mark(): number {
    return this.lastTicket;
  }

  /**
   * Runs `run` (synchronously, now or on the release that frees it) once no ticket of
   * `connectorId` up to `mark` is out, after the jobs queued before it for that connector.
   * `replace` drops the jobs still waiting for the connector first (offline, only the latest
   * status counts); `max` keeps at most that many waiting, dropping the oldest.
   */
  after(connectorId: number, mark: number, run: () => void, replace = false, max?: number): void {
    let queue = this.waiting?.get(connectorId);
    if (replace && queue) queue.length = 0;
    if (max !== undefined && queue && queue.length >= max) queue.splice(0, queue.length - max + 1);
    if (!queue || queue.length === 0) {
      if (!this.blocks(connectorId, mark)) return run();
      queue ??= [];
      (this.waiting ??= new Map()).set(connectorId, queue);
    }
    queue.push({ mark, run });
  }

  /** Drops every waiting job (the charger stops). Tickets stay valid. */
  clear(): void {
    this.waiting = undefined;
  }

  private blocks(connectorId: number, mark: number): boolean {
    if (this.out) for (const [ticket, c] of this.out) if (c === connectorId && ticket <= mark) return true;
    return false;
  }

  private runReady(connectorId: number): void {
    const queue = this.waiting?.get(connectorId);
    if (!queue) return;
    while (queue.length > 0 && !this.blocks(connectorId, queue[0]!.mark)) queue.shift()!.run();
    if (queue.length > 0) return;
    this.waiting?.delete(connectorId);
    if (this.waiting?.size === 0) this.waiting = undefined;
  }
}
