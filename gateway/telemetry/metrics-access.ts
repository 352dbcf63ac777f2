// Who may read GET /metrics: anyone (the default), holders of a bearer token (compared in constant
// time), loopback clients only, or both. The `metrics` section of the gateway config.
import { z } from "zod";
import { resolveSecret } from "../catalog/secrets.ts";
import { isLoopbackAddress } from "../auth/dev.ts";
import { operatorTokenField } from "../sync/config.ts";
import { secretsEqual } from "../sync/secret-compare.ts";

export const metricsLayer = z
  .strictObject({
    /** bearer token scrapers must send, as a reference (env:NAME or file:/path) */
    token: operatorTokenField,
    /** answer only requests from a loopback address */
    loopbackOnly: z.boolean(),
  })
  .partial();

export type MetricsLayer = z.infer<typeof metricsLayer>;

export interface MetricsAccessConfig {
  /** the reference, resolved when the gateway starts */
  token: string | null;
  loopbackOnly: boolean;
}

export function resolveMetricsAccess(layers: (MetricsLayer | undefined)[]): MetricsAccessConfig {
  const config: MetricsAccessConfig = { token: null, loopbackOnly: false };
  for (const layer of layers) {
    if (layer?.token !== undefined) config.token = layer.token;
    if (layer?.loopbackOnly !== undefined) config.loopbackOnly = layer.loopbackOnly;
  }
  return config;
}

export interface MetricsRefusal {
  status: 401 | 403;
  message: string;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Checks a /metrics request against the configured token and address rule. */
export class MetricsAccess {
  private readonly token: string | null;

  /** Resolves the token reference now, so a missing secret stops the start, not a scrape. */
  constructor(
    private readonly config: MetricsAccessConfig,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.token = config.token === null ? null : resolveSecret(config.token, env);
  }

  /** Whether anything restricts /metrics (the gateway warns when it is open on a public bind). */
  get restricted(): boolean {
    return this.token !== null || this.config.loopbackOnly;
  }

  refusal(authorization: string, remoteAddress: string | undefined): MetricsRefusal | undefined {
    if (this.config.loopbackOnly && !isLoopbackAddress(remoteAddress))
      return { status: 403, message: "metrics are served to loopback clients only" };
    if (this.token === null) return undefined;
    const match = BEARER.exec(authorization);
    if (!match) return { status: 401, message: "a bearer token is required for /metrics" };
    // both sides hashed, then compared with timingSafeEqual (equal lengths, constant time)
    if (!secretsEqual(match[1]!, this.token))
      return { status: 401, message: "the /metrics bearer token is not valid" };
    return undefined;
  }
}
