// Egress settings for tests that are not about egress: their upstreams, OpenID providers and token
// endpoints run on 127.0.0.1 over plain http, which the gateway's egress guard refuses by default.
// Tests about egress (test/security/ssrf-*.test.ts, test/gateway/egress/) build their own guards.
import { EgressGuard } from "../../gateway/egress/index.ts";

/** Config layer: loopback allow-listed, over http too (a non-dev gateway's `egress` section). */
export const LOOPBACK_EGRESS = { allowHttp: ["127.0.0.0/8", "::1/128"] };

let loopback: EgressGuard | undefined;

/** A guard that lets loopback through (http included), for code given a guard or its fetch. */
export function loopbackEgress(): EgressGuard {
  loopback ??= new EgressGuard({ dev: false, allow: [], ...LOOPBACK_EGRESS });
  return loopback;
}
