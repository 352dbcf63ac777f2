// Structured log lines (JSON, one per line, on stderr). Every line passes the secret redaction
// (gateway/redaction.ts) before it is written: message and fields, at any depth.
import { Redactor } from "./redaction.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

/** A logger that masks secrets in the message and the fields before `inner` sees them. */
export class RedactingLogger implements Logger {
  constructor(
    readonly inner: Logger,
    private readonly redactor: Redactor,
  ) {}

  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    const clean =
      fields === undefined
        ? undefined
        : (this.redactor.redactValue(fields) as Record<string, unknown>);
    this.inner.log(level, this.redactor.redactText(message), clean);
  }
}

/**
 * `log` with secrets masked by `redactor` (the config's patterns). A logger that already redacts
 * gets the new redactor instead of a second pass.
 */
export function redactingLogger(log: Logger, redactor: Redactor): Logger {
  return new RedactingLogger(log instanceof RedactingLogger ? log.inner : log, redactor);
}

const rawStderrLogger: Logger = {
  log(level, message, fields) {
    process.stderr.write(
      `${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields })}\n`,
    );
  },
};

/** stderr, with the built-in secret patterns and key names masked */
export const stderrLogger: Logger = new RedactingLogger(rawStderrLogger, new Redactor());

export const silentLogger: Logger = { log() {} };
