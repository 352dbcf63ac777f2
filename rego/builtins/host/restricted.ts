// Builtins a gateway policy must not use for real: network calls from policy code (SSRF, and a
// decision that depends on a remote service), and the gateway's own environment (secrets).
// They are known to the compiler so that tests can mock them (`with http.send as ...`); called
// for real they fail, and the decision fails closed.
import { builtinError } from "./errors.ts";
import type { HostBuiltinTable } from "./types.ts";

const refused = (name: string, why: string) => () => {
  throw builtinError(`${name} is not available in Gatehouse policies: ${why}`);
};

export const restrictedBuiltins: HostBuiltinTable = {
  "http.send": refused(
    "http.send",
    "policies may not make network calls; pass the data in data.* or input",
  ),
  "net.lookup_ip_addr": refused(
    "net.lookup_ip_addr",
    "policies may not resolve names (a lookup reaches the network); pass the addresses in input",
  ),
  // OPA returns its configuration and the process environment here; Gatehouse exposes neither.
  "opa.runtime": () => ({}),
};
