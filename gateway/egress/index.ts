// The egress guard: every outbound connection the gateway makes on someone else's word goes through
// it (docs/gateway.md, "Egress").
export { EgressGuard, defaultEgressGuard } from "./guard.ts";
export type { EgressGuardOptions } from "./guard.ts";
export { EgressPolicy, STRICT_EGRESS, destinationOf } from "./policy.ts";
export type { Destination, EgressSettings } from "./policy.ts";
export { EgressRefusedError, displayUrl, egressRefusalIn } from "./refusal.ts";
export type { Refusal } from "./refusal.ts";
export { classifyAddress, describeRange } from "./classify.ts";
export type { AddressClass } from "./classify.ts";
export { SOCKET_IDLE_MS, systemResolver } from "./connect.ts";
export type { Resolver } from "./connect.ts";
export { MAX_REDIRECTS } from "./fetch.ts";
export type { Fetch } from "./fetch.ts";
export {
  egressLayer,
  egressEnvLayer,
  egressSettings,
  issuerEgressProblems,
  resolveEgress,
} from "./config.ts";
export type { EgressConfig, EgressLayer } from "./config.ts";
