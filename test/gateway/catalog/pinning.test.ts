// Which stdio commands fetch a package without an exact version (gateway/catalog/pinning.ts): the
// runners and their flags, the pinned forms that pass, and commands that fetch nothing.
import { describe, expect, it } from "vitest";
import { unpinnedPackages } from "../../../gateway/catalog/index.ts";

const fields = (command: string, ...args: string[]) =>
  unpinnedPackages(command, args).map((p) => p.field);

describe("unpinned package runners", () => {
  it.each([
    [["npx", "-y", "pkg"], "transport.args[1]"],
    [["npx", "pkg@latest"], "transport.args[0]"],
    [["npx", "pkg@1.2"], "transport.args[0]"],
    [["npx", "pkg@~1.2.3"], "transport.args[0]"],
    [["npx", "-p", "pkg", "bin"], "transport.args[1]"],
    [["npm", "exec", "--", "pkg"], "transport.args[2]"],
    [["pnpx", "pkg"], "transport.args[0]"],
    [["yarn", "dlx", "pkg"], "transport.args[1]"],
    [["bun", "x", "pkg"], "transport.args[1]"],
    [["uv", "tool", "run", "pkg"], "transport.args[2]"],
    [["uvx", "--from", "pkg>=1", "bin"], "transport.args[1]"],
    [["uvx", "--with", "extra", "pkg@1.0.0"], "transport.args[1]"],
    [["pipx", "run", "pkg"], "transport.args[1]"],
    [["deno", "run", "-A", "npm:pkg"], "transport.args[2]"],
    [["npx", "git+https://github.com/o/r.git"], "transport.args[0]"],
    [["C:\\tools\\npx.cmd", "pkg"], "transport.args[0]"],
  ])("%j is reported at %s", (words, field) => {
    const [command, ...args] = words as string[];
    expect(fields(command!, ...args)).toEqual([field]);
  });

  it.each([
    ["npx", "-y", "pkg@1.2.3"],
    ["npx", "-y", "@scope/pkg@2026.8.31"],
    ["npx", "pkg@1.2.3-rc.1"],
    ["npx", "--package=pkg@1.2.3", "bin"],
    ["npx", "github:o/r#0123456789abcdef0123456789abcdef01234567"],
    ["npx", "./local-folder"],
    ["uvx", "pkg@0.6.2"],
    ["uvx", "--from", "pkg[cli]==0.6.2", "bin"],
    ["pipx", "run", "--spec", "pkg==1.0.0", "app"],
    ["deno", "run", "-A", "npm:pkg@1.2.3"],
    ["deno", "run", "server.ts"],
    ["node", "node_modules/.bin/mcp-server-everything"],
    ["node_modules/.bin/mcp-server-filesystem", "/tmp/gatehouse"],
    ["docker", "run", "-i", "--rm", "mcp/fetch"],
  ])("%s %s ... fetches nothing unpinned", (command, ...args) => {
    expect(fields(command, ...args)).toEqual([]);
  });

  it("reads shell scripts word by word and reports each package once at the script's field", () => {
    expect(fields("bash", "-lc", "npx -y a")).toEqual([]); // -lc is not -c: not read
    expect(fields("sh", "-c", "env A=1 npx -y a; uvx b")).toEqual([
      "transport.args[1]",
      "transport.args[1]",
    ]);
  });

  it("says what to write instead", () => {
    expect(unpinnedPackages("uvx", ["mcp-server-fetch"])[0]!.message).toContain(
      "pin the version (mcp-server-fetch==1.2.3), or install the package with the gateway and run its binary",
    );
    expect(unpinnedPackages("npx", ["@scope/pkg@latest"])[0]!.message).toContain(
      "@scope/pkg@1.2.3",
    );
  });
});
