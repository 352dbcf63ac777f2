// How `gatehouse serve` ends on a signal: SIGTERM, SIGINT and SIGHUP stop it gracefully, and a
// second signal (or a shutdown that outlives its limit) ends it at once. Installed before the
// gateway starts: a service manager that stops a slow start must not be ignored (a dependency's
// own SIGTERM listener would otherwise keep the process alive with nothing to stop it).
export const STOP_SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;

/**
 * A signal this soon after the first is the same stop: Ctrl-C under `npm start` reaches the gateway
 * twice, from the terminal and forwarded by npm.
 */
const SAME_STOP_MS = 1000;

/** On the first stop signal runs `stop`, then exits: 0 when it resolved, 1 otherwise. */
export function stopOnSignals(stop: () => Promise<void>, forceAfterMs: number): void {
  let firstAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstAt !== undefined) {
      if (performance.now() - firstAt < SAME_STOP_MS) return;
      process.stderr.write(`gatehouse: ${signal} again: stopping now\n`);
      process.exit(1);
    }
    firstAt = performance.now();
    process.stderr.write(`gatehouse: ${signal}: shutting down\n`);
    const force = setTimeout(() => {
      process.stderr.write(`gatehouse: shutdown took over ${forceAfterMs} ms: stopping now\n`);
      process.exit(1);
    }, forceAfterMs);
    force.unref();
    stop().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(
          `gatehouse: shutdown failed: ${e instanceof Error ? e.message : String(e)}\n`,
        );
        process.exit(1);
      },
    );
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
}
