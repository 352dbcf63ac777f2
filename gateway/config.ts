// The gateway's settings: defaults < config file (YAML) < GATEHOUSE_* environment < command-line flags.
// Every layer is validated on its own, so an error names where the bad value came from.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { isIP } from "node:net";
import { z } from "zod";
import { describeIssue, issueMessage } from "./catalog/issues.ts";
import { authEnvLayer, authLayer, resolveAuthConfig, type AuthConfig } from "./auth/config.ts";
// the egress settings and rules, not the guard: CLI commands that read the config (token, keys,
// audit) do not load the HTTP stack
import {
  egressEnvLayer,
  egressLayer,
  egressSettings,
  issuerEgressProblems,
  resolveEgress,
  type EgressConfig,
} from "./egress/config.ts";
import { EgressPolicy } from "./egress/policy.ts";
import { operatorTokenField, resolveSync, syncLayer, type SyncConfig } from "./sync/config.ts";
import { auditEnvLayer, auditLayer, resolveAudit, type AuditConfig } from "./audit/config.ts";
import {
  resolveTelemetryConfig,
  telemetryLayer,
  type TelemetryConfig,
} from "./telemetry/config.ts";
import {
  metricsLayer,
  resolveMetricsAccess,
  type MetricsAccessConfig,
} from "./telemetry/metrics-access.ts";
import {
  policyEnvLayer,
  policyLayer,
  resolvePolicyLimits,
  type PolicyLimitsConfig,
} from "./policy/config.ts";

const MIB = 1024 * 1024;

export const DEFAULT_LIMITS = {
  maxBodyBytes: MIB,
  /** deepest nesting of a JSON-RPC body (objects and arrays); deeper bodies get 400 */
  maxJsonDepth: 64,
  /** most JSON values in one body; more get 400 (bounds the work of one request) */
  maxJsonValues: 10_000,
  maxSessions: 1000,
  /** per issuer and subject, so a few identities cannot take the global cap */
  maxSessionsPerPrincipal: 20,
  /** protocol revision 2026-07-28 requests (no sessions) one principal may have in flight */
  maxStatelessInFlightPerPrincipal: 64,
  sessionIdleMs: 30 * 60_000,
  /** a session whose client has not sent notifications/initialized by then is closed */
  handshakeTimeoutMs: 10_000,
  /** sustained requests per second per principal (issuer and subject); 429 above */
  requestsPerSecond: 50,
  /** requests a principal may send at once before requestsPerSecond applies */
  requestBurst: 100,
  requestTimeoutMs: 60_000,
  /** events kept per SSE stream for resumption (Last-Event-ID); older ones are dropped */
  maxEventsPerStream: 1000,
  /** streams whose events a session keeps; the oldest stream is forgotten first */
  maxStreamsPerSession: 100,
  /** how long close() waits for in-flight requests before cutting them off */
  shutdownGraceMs: 10_000,
};

const positiveInt = z.int().positive();

const limitsLayer = z
  .strictObject({
    maxBodyBytes: positiveInt,
    maxJsonDepth: positiveInt,
    maxJsonValues: positiveInt,
    maxSessions: positiveInt,
    maxSessionsPerPrincipal: positiveInt,
    maxStatelessInFlightPerPrincipal: positiveInt,
    sessionIdleMs: positiveInt,
    handshakeTimeoutMs: positiveInt,
    requestsPerSecond: positiveInt,
    requestBurst: positiveInt,
    requestTimeoutMs: positiveInt,
    maxEventsPerStream: positiveInt,
    maxStreamsPerSession: positiveInt,
    shutdownGraceMs: z.int().nonnegative(),
  })
  .partial();

/** One source's settings: every field optional, unknown fields refused. */
const configLayer = z
  .strictObject({
    host: z.string().min(1),
    port: z.int().min(0).max(65535),
    dev: z.boolean(),
    /** groups of the development principal */
    devGroups: z.array(z.string().min(1)),
    catalogDir: z.string().min(1),
    policyDirs: z.array(z.string().min(1)).min(1),
    separator: z.string().min(1),
    limits: limitsLayer,
    /** Host header names accepted on /mcp (DNS rebinding); empty = no check (non-loopback binds) */
    allowedHosts: z.array(z.string().min(1)),
    /** Origin values accepted on /mcp ("scheme://host" matches any port; "scheme://host:port" one) */
    allowedOrigins: z.array(z.string().min(1)),
    dataDir: z.string().min(1),
    /** identity: trusted issuers, resource URI, scopes, claim paths (docs/identity.md) */
    auth: authLayer,
    /** GitOps: follow a Git repository of catalog and policies (docs/sync.md) */
    sync: syncLayer,
    /** bearer token for operator endpoints (GET /-/status), as env:NAME or file:/path */
    operatorToken: operatorTokenField,
    /** the key sealing 2026-07-28 requestState (32 bytes, base64), as env:NAME or file:/path;
     * replicas that continue each other's calls share it. Default: made once in dataDir */
    requestStateKey: operatorTokenField,
    /** decision records: store, failure mode, retention, secret patterns (docs/audit.md) */
    audit: auditLayer,
    /** OpenTelemetry: service name, OTLP endpoint, Prometheus /metrics (docs/telemetry.md) */
    telemetry: telemetryLayer,
    /** who may read GET /metrics: a bearer token and/or loopback only (docs/telemetry.md) */
    metrics: metricsLayer,
    /** what the gateway may connect to beyond https to public addresses (docs/gateway.md) */
    egress: egressLayer,
    /** what bounds one policy evaluation: budget, memory cap (docs/gateway.md) */
    policy: policyLayer,
  })
  .partial();

export type ConfigLayer = z.infer<typeof configLayer>;

export interface GatewayConfig {
  host: string;
  port: number;
  dev: boolean;
  devGroups: string[];
  catalogDir: string;
  policyDirs: string[];
  separator: string;
  limits: typeof DEFAULT_LIMITS;
  allowedHosts: string[];
  allowedOrigins: string[];
  dataDir: string;
  auth: AuthConfig;
  sync: SyncConfig;
  operatorToken: string | null;
  requestStateKey: string | null;
  audit: AuditConfig;
  telemetry: TelemetryConfig;
  metrics: MetricsAccessConfig;
  egress: EgressConfig;
  policy: PolicyLimitsConfig;
}

/** Bad settings; one line per problem: `<source>: <field>: <what>`. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  if (bare === "localhost") return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  return isIP(bare) === 6 && (bare === "::1" || bare === "0:0:0:0:0:0:0:1");
}

export interface ConfigSources {
  /** path of a YAML config file (the --config flag; GATEHOUSE_CONFIG when absent) */
  file?: string;
  env?: Record<string, string | undefined>;
  flags?: ConfigLayer;
}

export function loadConfig(sources: ConfigSources = {}): GatewayConfig {
  const env = sources.env ?? {};
  const problems: string[] = [];
  const layers: ConfigLayer[] = [];
  const file = sources.file ?? env.GATEHOUSE_CONFIG;
  if (file !== undefined && file !== "")
    layers.push(...validLayer(file, readConfigFile(file), problems));
  layers.push(...envLayer(env, problems));
  if (sources.flags) layers.push(...validLayer("command line", sources.flags, problems));
  if (problems.length > 0) throw new ConfigError(problems);
  return resolve(layers);
}

/** Merges layers over the defaults (later wins, `limits` field by field) and checks the result. */
export function resolve(layers: ConfigLayer[]): GatewayConfig {
  const merged: ConfigLayer = {};
  const limits: Partial<typeof DEFAULT_LIMITS> = {};
  for (const layer of layers) {
    Object.assign(merged, definedFields(layer));
    Object.assign(limits, definedFields(layer.limits ?? {}));
  }
  const host = merged.host ?? "127.0.0.1";
  const loopback = isLoopbackHost(host);
  const config: GatewayConfig = {
    host,
    port: merged.port ?? 8080,
    dev: merged.dev ?? false,
    devGroups: merged.devGroups ?? ["eng"],
    catalogDir: merged.catalogDir ?? "catalog",
    policyDirs: merged.policyDirs ?? ["policies"],
    separator: merged.separator ?? "__",
    limits: { ...DEFAULT_LIMITS, ...limits },
    allowedHosts: merged.allowedHosts ?? (loopback ? LOOPBACK_NAMES : []),
    allowedOrigins:
      merged.allowedOrigins ??
      (loopback ? LOOPBACK_NAMES.flatMap((n) => [`http://${n}`, `https://${n}`]) : []),
    dataDir: merged.dataDir ?? ".gatehouse",
    auth: resolveAuthConfig(layers.map((layer) => layer.auth ?? {})),
    sync: resolveSync(layers.map((layer) => layer.sync ?? {})),
    operatorToken: merged.operatorToken ?? null,
    requestStateKey: merged.requestStateKey ?? null,
    audit: resolveAudit(layers.map((layer) => layer.audit ?? {})),
    telemetry: resolveTelemetryConfig(layers.map((layer) => layer.telemetry)),
    metrics: resolveMetricsAccess(layers.map((layer) => layer.metrics)),
    egress: resolveEgress(layers.map((layer) => layer.egress ?? {})),
    policy: resolvePolicyLimits(layers.map((layer) => layer.policy ?? {})),
  };
  if (config.dev && !loopback) {
    throw new ConfigError([
      `dev: the development principal is refused on a non-loopback bind (host ${host}); bind 127.0.0.1 or configure identity`,
    ]);
  }
  const egress = issuerEgressProblems(
    config.auth.issuers,
    new EgressPolicy(egressSettings(config)),
  );
  if (egress.length > 0) throw new ConfigError(egress);
  return config;
}

function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError([
      `${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    ]);
  }
  // loaded only when there is a file to read: most CLI commands run without one
  const { parse } = createRequire(import.meta.url)("yaml") as typeof import("yaml");
  try {
    return parse(text) ?? {};
  } catch (e) {
    throw new ConfigError([`${file}: not valid YAML: ${(e as Error).message.split("\n")[0]}`]);
  }
}

function validLayer(source: string, raw: unknown, problems: string[]): ConfigLayer[] {
  const result = configLayer.safeParse(raw, { error: issueMessage });
  if (result.success) return [result.data];
  for (const issue of result.error.issues) problems.push(...describeIssue(source, issue));
  return [];
}

type EnvReader = (name: string, value: string) => unknown;

const asString: EnvReader = (_, value) => value;
const asList: EnvReader = (_, value) =>
  value
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
const asBoolean: EnvReader = (name, value) => {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)?$/i.test(value)) return false;
  throw new ConfigError([`${name}: expected true or false, got ${JSON.stringify(value)}`]);
};
const asPort: EnvReader = (name, value) => {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new ConfigError([`${name}: expected an integer 0-65535, got ${JSON.stringify(value)}`]);
  }
  return port;
};

/** GATEHOUSE_* variables and the config field each one sets. */
const ENV_FIELDS: [string, keyof ConfigLayer, EnvReader][] = [
  ["GATEHOUSE_HOST", "host", asString],
  ["GATEHOUSE_PORT", "port", asPort],
  ["GATEHOUSE_DEV", "dev", asBoolean],
  ["GATEHOUSE_DEV_GROUPS", "devGroups", asList],
  ["GATEHOUSE_CATALOG", "catalogDir", asString],
  ["GATEHOUSE_POLICIES", "policyDirs", asList],
  ["GATEHOUSE_SEPARATOR", "separator", asString],
  ["GATEHOUSE_ALLOWED_HOSTS", "allowedHosts", asList],
  ["GATEHOUSE_ALLOWED_ORIGINS", "allowedOrigins", asList],
  ["GATEHOUSE_DATA_DIR", "dataDir", asString],
];

function envLayer(env: Record<string, string | undefined>, problems: string[]): ConfigLayer[] {
  const layer: ConfigLayer = {};
  for (const [name, field, read] of ENV_FIELDS) {
    const value = env[name];
    if (value === undefined) continue;
    try {
      const parsed = configLayer.shape[field].safeParse(read(name, value), { error: issueMessage });
      if (parsed.success) Object.assign(layer, { [field]: parsed.data });
      else problems.push(`${name}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(...e.problems);
    }
  }
  const audit = auditEnvLayer(env, problems);
  if (audit) layer.audit = audit;
  const auth = authEnvLayer(env, problems);
  if (auth) layer.auth = auth;
  const egress = egressEnvLayer(env, problems);
  if (egress) layer.egress = egress;
  const policy = policyEnvLayer(env, problems);
  if (policy) layer.policy = policy;
  return [layer];
}
