// The `egress` section of the gateway config: what the gateway may connect to besides https to
// public addresses (docs/gateway.md, "Egress"). config.ts merges the layers and calls resolveEgress.
import { z } from "zod";
import { parseAllowEntry } from "./allow-list.ts";
import { EgressPolicy, type EgressSettings } from "./policy.ts";
import { EgressRefusedError } from "./refusal.ts";

const allowEntry = z.string().superRefine((value, ctx) => {
  const entry = parseAllowEntry(value);
  if (typeof entry === "string") ctx.addIssue({ code: "custom", message: entry });
});

export const egressLayer = z
  .strictObject({
    /** destinations exempt from the address rules: "10.0.0.0/8", "127.0.0.1:9000", "idp.internal" */
    allow: z.array(allowEntry),
    /** destinations that may be reached over plain http too (and are allowed as above) */
    allowHttp: z.array(allowEntry),
  })
  .partial();

export type EgressLayer = z.infer<typeof egressLayer>;
export type EgressConfig = Omit<EgressSettings, "dev">;

/** Layers merged over the defaults (later wins, each list as a whole). */
export function resolveEgress(layers: EgressLayer[]): EgressConfig {
  const merged: EgressLayer = {};
  for (const layer of layers) {
    if (layer.allow !== undefined) merged.allow = layer.allow;
    if (layer.allowHttp !== undefined) merged.allowHttp = layer.allowHttp;
  }
  return { allow: merged.allow ?? [], allowHttp: merged.allowHttp ?? [] };
}

const ENV_FIELDS = [
  ["GATEHOUSE_EGRESS_ALLOW", "allow"],
  ["GATEHOUSE_EGRESS_ALLOW_HTTP", "allowHttp"],
] as const;

/** GATEHOUSE_EGRESS_ALLOW and GATEHOUSE_EGRESS_ALLOW_HTTP: comma-separated entries. */
export function egressEnvLayer(
  env: Record<string, string | undefined>,
  problems: string[],
): EgressLayer | undefined {
  const layer: EgressLayer = {};
  for (const [name, field] of ENV_FIELDS) {
    const value = env[name];
    if (value === undefined) continue;
    const entries = value
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== "");
    const parsed = egressLayer.shape[field].safeParse(entries);
    if (parsed.success) layer[field] = parsed.data;
    else for (const issue of parsed.error.issues) problems.push(`${name}: ${issue.message}`);
  }
  return Object.keys(layer).length > 0 ? layer : undefined;
}

/** The guard's settings for a gateway config. */
export function egressSettings(config: { dev: boolean; egress: EgressConfig }): EgressSettings {
  return { dev: config.dev, ...config.egress };
}

/** The issuer URLs the gateway will fetch (its JWKS, or its metadata), checked when the config is
 * read: a refused one is a config error at start rather than a failing login later. */
export function issuerEgressProblems(
  issuers: readonly { issuer: string; jwksUri?: string }[],
  policy: EgressPolicy,
): string[] {
  const problems: string[] = [];
  issuers.forEach((entry, i) => {
    const [field, url] =
      entry.jwksUri !== undefined ? ["jwksUri", entry.jwksUri] : ["issuer", entry.issuer];
    const refusal = policy.checkUrl(new URL(url));
    if (refusal)
      problems.push(`auth.issuers[${i}].${field}: ${new EgressRefusedError(url, refusal).message}`);
  });
  return problems;
}
