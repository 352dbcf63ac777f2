// The pool's log sink. Fields carry context (server name, codes), never secret values.
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const consoleLogger: Logger = {
  info: (message, fields) => console.info(`[gatehouse] ${message}`, ...(fields ? [fields] : [])),
  warn: (message, fields) => console.warn(`[gatehouse] ${message}`, ...(fields ? [fields] : [])),
  error: (message, fields) => console.error(`[gatehouse] ${message}`, ...(fields ? [fields] : [])),
};

/** Logs each distinct message once (bounded), so a flapping or garbage-spewing upstream does not
 * flood the log. */
export class OnceLogger {
  private readonly seen = new Set<string>();
  constructor(
    private readonly logger: Logger,
    private readonly limit = 50,
  ) {}

  warn(message: string, fields?: Record<string, unknown>): void {
    if (this.seen.has(message) || this.seen.size >= this.limit) return;
    this.seen.add(message);
    this.logger.warn(message, fields);
  }

  reset(): void {
    this.seen.clear();
  }
}
