// A gateway that is not in development mode needs someone to issue tokens: without a trusted
// issuer its RFC 9728 metadata names no authorization server, and a standard OAuth MCP client has
// nowhere to sign in. `serve` refuses that start unless API keys alone are asked for.
import type { GatewayConfig } from "../gateway/config.ts";
import { CliError } from "./failure.ts";

export function requireTokenIssuer(
  config: Pick<GatewayConfig, "dev" | "auth">,
  options: { apiKeysOnly: boolean },
): void {
  if (config.dev || config.auth.issuers.length > 0) return;
  if (options.apiKeysOnly) {
    if (config.auth.apiKeys) return;
    throw new CliError(
      "serve: --api-keys-only, but auth.apiKeys is false in the config: nothing could authenticate. Set auth.apiKeys: true or configure an issuer (docs/identity.md)",
    );
  }
  throw new CliError(
    [
      "serve: no token issuer is configured, so OAuth MCP clients would have no authorization server to sign in with. Either:",
      "  - trust your identity provider: add it under auth.issuers in the config file (docs/identity.md), or set GATEHOUSE_AUTH_ISSUERS=https://login.example.com",
      "  - accept API keys only (gatehouse keys create): serve --api-keys-only",
      "  - try Gatehouse on this machine: serve --dev (the development principal, loopback only)",
    ].join("\n"),
  );
}
