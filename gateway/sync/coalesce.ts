// One run at a time; requests that arrive during a run are folded into a single run after it.
export class Coalescer {
  private current: Promise<void> | undefined;
  private again = false;

  constructor(private readonly work: () => Promise<void>) {}

  /** Resolves when a run that started after this request has finished. */
  request(): Promise<void> {
    if (this.current) {
      this.again = true;
      return this.current;
    }
    this.current = this.loop();
    return this.current;
  }

  /** The run in progress (and any folded into it), or a resolved promise. */
  settled(): Promise<void> {
    return this.current ?? Promise.resolve();
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.work();
      } while (this.again);
    } finally {
      this.current = undefined;
    }
  }
}
