// gatehouse status [--url u] [--token t] [--json]: what a running gateway serves (GET /-/status).
import type { Command } from "commander";
import type { GatewayStatus } from "../../gateway/sync/index.ts";
import { CliError } from "../failure.ts";

interface StatusOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

/** Adds options and action to `gatehouse status` (cli/program.ts creates it). */
export function defineStatusCommand(command: Command): void {
  command
    .option("--url <url>", "the gateway's URL (default: GATEHOUSE_URL, else http://127.0.0.1:8080)")
    .option("--token <token>", "operator token (default: GATEHOUSE_OPERATOR_TOKEN)")
    .option("--json", "print the status document as JSON")
    .action((options: StatusOptions) => showStatus(options));
}

async function showStatus(options: StatusOptions): Promise<void> {
  const token = options.token ?? process.env.GATEHOUSE_OPERATOR_TOKEN;
  const base = options.url ?? process.env.GATEHOUSE_URL ?? "http://127.0.0.1:8080";
  let url: URL;
  try {
    url = new URL("/-/status", base);
  } catch {
    throw new CliError(`--url: not a URL: ${JSON.stringify(base)}`);
  }
  let response: Response;
  try {
    response = await fetch(url, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    // undici puts the socket error in `cause` (an AggregateError when several addresses failed)
    const cause = (
      e as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }
    ).cause;
    const code = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (e as Error).message;
    throw new CliError(`cannot reach ${url.origin}: ${code}; is the gateway running there?`);
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const hint = response.status === 401 ? " (pass --token or set GATEHOUSE_OPERATOR_TOKEN)" : "";
    throw new CliError(`${url.href}: ${response.status}: ${String(body.error ?? "")}${hint}`);
  }
  process.stdout.write(
    options.json
      ? `${JSON.stringify(body, null, 2)}\n`
      : formatStatus(body as unknown as GatewayStatus),
  );
}

export function formatStatus(status: GatewayStatus): string {
  const lines = [`revision     ${status.revision}`, `bundle       sha256:${status.bundleDigest}`];
  const sync = status.sync;
  if (!("source" in sync)) lines.push("sync         off");
  else {
    const { source, active, lastFetch, lastAttempt } = sync;
    const webhook = source.webhook ? "webhook on" : "webhook off";
    lines.push(
      `source       ${source.repo} (${source.ref}, ${source.mode}, every ${source.pollSeconds}s, ${webhook})`,
    );
    if (active) lines.push(`active since ${active.since} (from ${active.from})`);
    if (lastFetch)
      lines.push(
        `last fetch   ${lastFetch.at} ${lastFetch.ok ? `ok ${lastFetch.revision}` : `FAILED: ${lastFetch.error}`}`,
      );
    if (lastAttempt) {
      const what =
        lastAttempt.outcome === "activated" ? "activated" : `REFUSED at ${lastAttempt.stage}`;
      lines.push(`last attempt ${lastAttempt.at} ${lastAttempt.revision} ${what}`);
      for (const problem of lastAttempt.problems ?? []) lines.push(`  ${problem}`);
    }
  }
  lines.push("upstreams");
  for (const u of status.upstreams) {
    const error = u.lastError ? ` (${u.lastError})` : "";
    // a status from a gateway of before connection keys has neither field
    const scope = u.isolation
      ? `  ${u.isolation}, ${u.connections.open}/${u.connections.max} connections`
      : "";
    lines.push(
      `  ${u.name}  ${u.transport}${scope}  ${u.state} since ${u.since}, restarts ${u.restarts}${error}`,
    );
  }
  return `${lines.join("\n")}\n`;
}
