// The catalog's `credentials` block: what loads (with defaults), and one clear line per mistake
// with the file and field path; `catalog validate --check-secrets` resolves its references too.
import { Command } from "commander";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defineCatalogCommands } from "../../../cli/commands/catalog.ts";
import { CatalogError, loadCatalog } from "../../../gateway/catalog/index.ts";
import { useTempDir } from "../../helpers/temp-dir.ts";

const dir = useTempDir("gatehouse-credentials-catalog");
const HTTP = "transport:\n  type: http\n  url: https://mcp.example.com/mcp\n";
const STDIO = "transport:\n  type: stdio\n  command: node\n";

function serverYaml(name: string, transport: string, credentials: string): void {
  dir.put(
    `catalog/servers/${name}.yaml`,
    `name: ${name}\n${transport}credentials:\n${credentials}`,
  );
}

function problemsOf(): string[] {
  try {
    loadCatalog(join(dir.path, "catalog"));
  } catch (e) {
    expect(e).toBeInstanceOf(CatalogError);
    return (e as CatalogError).problems.map((p) =>
      p.slice(join(dir.path, "catalog/servers/").length),
    );
  }
  throw new Error("the catalog loaded without problems");
}

describe("the credentials block", () => {
  it("loads each kind, with defaults", () => {
    serverYaml("keyed", HTTP, "  type: static\n  header: X-Api-Key\n  value: env:KEY\n");
    serverYaml("local", STDIO, "  type: static\n  env: API_KEY\n  value: file:/run/secrets/key\n");
    serverYaml(
      "machine",
      HTTP,
      "  type: oauth_client_credentials\n  token_url: https://idp.example.com/token\n  client_id: gatehouse\n  client_secret: env:SECRET\n  resource: https://mcp.example.com/mcp\n",
    );
    serverYaml(
      "delegated",
      HTTP,
      "  type: oauth_token_exchange\n  issuer: https://idp.example.com\n  client_id: gatehouse\n  client_secret: env:SECRET\n  audience: mcp-api\n",
    );
    const servers = loadCatalog(join(dir.path, "catalog")).servers;
    expect(servers.get("keyed")!.credentials).toEqual({
      type: "static",
      header: "X-Api-Key",
      value: "env:KEY",
    });
    expect(servers.get("machine")!.credentials).toMatchObject({
      auth_method: "client_secret_basic",
    });
    expect(servers.get("delegated")!.credentials).toMatchObject({
      auth_method: "client_secret_basic",
      subject_token: { source: "gateway_client_credentials" },
    });
  });

  it("names each mistake with its field path", () => {
    serverYaml("a", HTTP, "  type: static\n  value: env:KEY\n");
    serverYaml(
      "b",
      HTTP,
      "  type: oauth_client_credentials\n  token_url: http://idp.example.com/token\n  client_id: gatehouse\n  client_secret: hunter2-literal\n  auth_method: private_key_jwt\n",
    );
    serverYaml(
      "c",
      STDIO,
      "  type: oauth_client_credentials\n  token_url: https://idp.example.com/token\n  client_id: x\n  client_secret: env:S\n",
    );
    serverYaml(
      "d",
      HTTP,
      "  type: oauth_token_exchange\n  token_url: https://idp.example.com/token\n  issuer: https://idp.example.com\n  client_id: x\n  client_secret: env:S\n  subject_token: { source: caller }\n",
    );
    serverYaml("e", HTTP, "  type: basic\n");
    dir.put(
      "catalog/servers/f.yaml",
      `name: f\ntransport:\n  type: http\n  url: https://mcp.example.com/mcp\n  headers:\n    authorization: env:OLD\ncredentials:\n  type: oauth_client_credentials\n  token_url: https://u:p@idp.example.com/token\n  client_id: x\n  client_secret: env:S\n  tokenurl: typo\n`,
    );
    serverYaml("g", STDIO, "  type: static\n  header: Authorization\n  value: env:K\n");
    expect(problemsOf()).toEqual([
      "a.yaml: credentials: needs exactly one of header (http, sse) or env (stdio)",
      "b.yaml: credentials.token_url: must be an https:// URL (http:// is allowed only for localhost and 127.0.0.1)",
      "b.yaml: credentials.client_secret: must be a secret reference (env:NAME or file:/absolute/path), not the secret itself",
      'b.yaml: credentials.auth_method: must be one of client_secret_basic, client_secret_post, got string "private_key_jwt"',
      "c.yaml: credentials.type: OAuth credentials need an http or sse transport",
      'd.yaml: credentials.subject_token.source: must be one of gateway_client_credentials, got string "caller"',
      'e.yaml: credentials.type: must be one of static, oauth_client_credentials, oauth_token_exchange, got string "basic"',
      "f.yaml: credentials.token_url: must not contain a user name or password",
      "f.yaml: credentials.tokenurl: unknown field",
      "f.yaml: transport.headers.authorization: the credentials block sets this header; remove it here",
      "g.yaml: credentials.header: a stdio server takes env, not header",
    ]);
  });

  it("refuses both token_url and issuer, and a header set twice", () => {
    serverYaml(
      "d",
      HTTP,
      "  type: oauth_token_exchange\n  token_url: https://idp.example.com/token\n  issuer: https://idp.example.com\n  client_id: x\n  client_secret: env:S\n",
    );
    dir.put(
      "catalog/servers/f.yaml",
      `name: f\ntransport:\n  type: http\n  url: https://mcp.example.com/mcp\n  headers:\n    authorization: env:OLD\ncredentials:\n  type: oauth_client_credentials\n  token_url: https://idp.example.com/token\n  client_id: x\n  client_secret: env:S\n`,
    );
    expect(problemsOf()).toEqual([
      "d.yaml: credentials: needs exactly one of token_url or issuer (whose metadata names the token endpoint)",
      "f.yaml: transport.headers.authorization: the credentials block sets this header; remove it here",
    ]);
  });

  it("is checked by catalog validate --check-secrets, naming the reference and not the value", () => {
    serverYaml(
      "machine",
      HTTP,
      "  type: oauth_client_credentials\n  token_url: https://idp.example.com/token\n  client_id: gatehouse\n  client_secret: env:GATEHOUSE_TEST_UNSET_SECRET\n",
    );
    // the command's own function, in process (test/gateway/catalog runs the launcher as a user would)
    const program = new Command().exitOverride();
    defineCatalogCommands(program.command("catalog"));
    const run = program.parseAsync(
      ["catalog", "validate", join(dir.path, "catalog"), "--check-secrets"],
      { from: "user" },
    );
    return expect(run).rejects.toThrow(
      new CatalogError([
        `${join(dir.path, "catalog/servers/machine.yaml")}: credentials.client_secret: secret reference env:GATEHOUSE_TEST_UNSET_SECRET: environment variable GATEHOUSE_TEST_UNSET_SECRET is not set`,
      ]),
    );
  });
});
