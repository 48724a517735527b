/**
 * When to restart the daemon after it exits unexpectedly: at most `maxRestarts` within `windowMs`,
 * so a daemon that crashes on start-up is not restarted forever.
 */
export class CrashPolicy {
  private crashes: number[] = [];

  constructor(private readonly maxRestarts = 4, private readonly windowMs = 3 * 60_000, private readonly now = () => Date.now()) {}

  /** Records a crash; true when the daemon should be restarted. */
  shouldRestart(enabled: boolean): boolean {
    if (!enabled) return false;
    const t = this.now();
    this.crashes = this.crashes.filter((c) => t - c < this.windowMs);
    this.crashes.push(t);
    return this.crashes.length <= this.maxRestarts;
  }

  reset(): void {
    this.crashes = [];
  }
}
