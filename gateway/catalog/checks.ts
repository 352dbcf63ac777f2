// Checks of a server file beyond its schema, run when the catalog is loaded (gateway start, each
// synced revision, `gatehouse catalog validate`): URLs the egress guard would refuse (an upstream
// or token endpoint at a metadata, link-local or private address, plain http), and stdio commands
// that fetch a package without a pinned version. One line per problem: `<file>: <field>: <what>`.
import type { EgressPolicy } from "../egress/policy.ts";
import { EgressRefusedError } from "../egress/refusal.ts";
import { unpinnedPackages } from "./pinning.ts";
import type { ServerFile } from "./schema.ts";

export function serverProblems(file: string, server: ServerFile, egress: EgressPolicy): string[] {
  const problems: string[] = [];
  const t = server.transport;
  if (t.type === "stdio") {
    for (const p of unpinnedPackages(t.command, t.args))
      problems.push(`${file}: ${p.field}: ${p.message}`);
  } else {
    problems.push(...urlProblems(file, "transport.url", t.url, egress));
  }
  const credentials = server.credentials;
  if (credentials && credentials.type !== "static") {
    if (credentials.token_url !== undefined)
      problems.push(...urlProblems(file, "credentials.token_url", credentials.token_url, egress));
    if (credentials.issuer !== undefined)
      problems.push(...urlProblems(file, "credentials.issuer", credentials.issuer, egress));
  }
  return problems;
}

/** A URL the gateway would refuse to connect to, whatever its host name resolves to. */
function urlProblems(file: string, field: string, url: string, egress: EgressPolicy): string[] {
  const refusal = egress.checkUrl(new URL(url));
  return refusal ? [`${file}: ${field}: ${new EgressRefusedError(url, refusal).message}`] : [];
}
