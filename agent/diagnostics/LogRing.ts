/**
 * The agent's recent log in memory: the last lines pino wrote (bin/logger.ts tees them here),
 * bounded by bytes, oldest dropped first. A diagnostics upload sends them; a board whose logs go
 * to a service manager's journal still has its recent history at hand.
 */
export class LogRing {
  private lines: string[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly maxBytes = 2 * 1024 * 1024) {}

  /** Takes one or more newline-terminated log lines (pino's destination contract). */
  write(chunk: string): void {
    for (const line of chunk.split('\n')) {
      if (line.length === 0) continue;
      this.lines.push(line);
      this.bytes += line.length + 1;
    }
    while (this.bytes > this.maxBytes && this.head < this.lines.length) {
      this.bytes -= this.lines[this.head]!.length + 1;
      this.head++;
    }
    // Compact now and then instead of shifting on every line.
    if (this.head > 1024 && this.head * 2 > this.lines.length) {
      this.lines = this.lines.slice(this.head);
      this.head = 0;
    }
  }

  /** The lines held, oldest first. */
  snapshot(): string[] {
    return this.lines.slice(this.head);
  }
}
