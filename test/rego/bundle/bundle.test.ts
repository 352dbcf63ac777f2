import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  loadPolicyDirectory,
  PolicyLoadError,
  readBundle,
  writeBundle,
} from "../../../rego/bundle/index.ts";
import { readTar } from "../../../rego/bundle/tar.ts";
import { useTempDir } from "../../helpers/temp-dir.ts";

const wasm = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
const tmpDir = useTempDir("gatehouse-bundle");
const put = (path: string, text: string): string => tmpDir.put(path, text);

function sampleBundle(): Buffer {
  return writeBundle({
    files: [
      { file: "authz.rego", source: "package authz\n\nallow := true\n" },
      { file: "/abs/path/lib.rego", source: "package lib\n", bundlePath: "lib/util.rego" },
    ],
    data: { roles: { admin: ["alice"] } },
    wasm,
    entrypoints: ["authz/allow", "data.lib.x"],
    revision: "rev-7",
  });
}

describe("writeBundle", () => {
  it("writes a gzip-compressed tar in OPA's bundle layout", () => {
    const archive = sampleBundle();
    expect([...archive.subarray(0, 2)]).toEqual([0x1f, 0x8b]);

    const entries = readTar(gunzipSync(archive));
    expect(entries.map((e) => e.name)).toEqual([
      "/.manifest",
      "/data.json",
      "/policy.wasm",
      "/authz.rego",
      "/lib/util.rego",
    ]);
    const manifest = JSON.parse(new TextDecoder().decode(entries[0]!.data));
    expect(manifest).toEqual({
      revision: "rev-7",
      roots: [""],
      wasm: [
        { entrypoint: "authz/allow", module: "/policy.wasm" },
        { entrypoint: "lib/x", module: "/policy.wasm" },
      ],
    });
    expect(JSON.parse(new TextDecoder().decode(entries[1]!.data))).toEqual({
      roles: { admin: ["alice"] },
    });
    expect([...entries[2]!.data]).toEqual([...wasm]);
  });

  it("is readable by GNU tar, with names and contents intact", () => {
    const file = join(tmpDir.path, "bundle.tar.gz");
    writeFileSync(file, sampleBundle());
    const listing = execFileSync("tar", ["-tzf", file], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    })
      .trim()
      .split("\n");
    expect(listing).toEqual([
      "/.manifest",
      "/data.json",
      "/policy.wasm",
      "/authz.rego",
      "/lib/util.rego",
    ]);
    const rego = execFileSync("tar", ["-xzOf", file, "/authz.rego"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    expect(rego).toBe("package authz\n\nallow := true\n");
  });

  it("refuses two sources that would share an entry name", () => {
    const files = [
      { file: "a/x.rego", source: "package a\n", bundlePath: "x.rego" },
      { file: "b/x.rego", source: "package b\n", bundlePath: "x.rego" },
    ];
    expect(() => writeBundle({ files, data: {}, wasm, entrypoints: [] })).toThrow(/\/x\.rego/);
  });
});

describe("readBundle", () => {
  it("reads back what writeBundle wrote", () => {
    const bundle = readBundle(sampleBundle());
    expect(bundle.manifest.revision).toBe("rev-7");
    expect(bundle.manifest.wasm.map((w) => w.entrypoint)).toEqual(["authz/allow", "lib/x"]);
    expect(bundle.data).toEqual({ roles: { admin: ["alice"] } });
    expect([...bundle.wasm!]).toEqual([...wasm]);
    expect(bundle.files).toEqual([
      { file: "authz.rego", source: "package authz\n\nallow := true\n" },
      { file: "lib/util.rego", source: "package lib\n" },
    ]);
  });

  it("reads tar files written by other tools: relative names, nested data, long paths", () => {
    const long = `${"deep/".repeat(30)}policy.rego`;
    put(
      "src/.manifest",
      JSON.stringify({
        revision: "opa",
        roots: ["x"],
        wasm: [{ entrypoint: "x/p", module: "/policy.wasm" }],
      }),
    );
    put("src/data.json", JSON.stringify({ top: 1 }));
    put("src/roles/bindings/data.json", JSON.stringify({ alice: "admin" }));
    put("src/roles/data.yaml", "viewers: [bob]\n");
    put("src/policy.wasm", "\0asm");
    put(`src/${long}`, "package deep\n");
    put("src/notes.json", JSON.stringify({ ignored: true }));
    const file = join(tmpDir.path, "opa.tar.gz");
    for (const format of ["pax", "gnu"]) {
      execFileSync("tar", [
        "-czf",
        file,
        `--format=${format}`,
        "-C",
        join(tmpDir.path, "src"),
        ".",
      ]);
      const bundle = readBundle(readFileSync(file));
      expect(bundle.manifest).toEqual({
        revision: "opa",
        roots: ["x"],
        wasm: [{ entrypoint: "x/p", module: "/policy.wasm" }],
      });
      expect(bundle.data).toEqual({
        top: 1,
        roles: { viewers: ["bob"], bindings: { alice: "admin" } },
      });
      expect(new TextDecoder().decode(bundle.wasm)).toBe("\0asm");
      expect(bundle.files).toEqual([{ file: long, source: "package deep\n" }]);
    }
  });

  it("keeps a long entry name through its own writer", () => {
    const long = `${"a-rather-long-folder-name/".repeat(12)}x.rego`;
    const bundle = readBundle(
      writeBundle({
        files: [{ file: long, source: "package x\n" }],
        data: {},
        wasm,
        entrypoints: [],
      }),
    );
    expect(bundle.files.map((f) => f.file)).toEqual([long]);
  });
});

describe("loadPolicyDirectory", () => {
  it("collects modules (tests included) and merges data under each folder's path", () => {
    put("policies/authz.rego", "package authz\n");
    put("policies/authz_test.rego", "package authz_test\n");
    put("policies/roles/bindings/data.json", JSON.stringify({ alice: ["admin"] }));
    put("policies/roles/data.yaml", "viewers:\n  - bob\n");
    put("policies/data.json", JSON.stringify({ limits: { max: 3 } }));
    put("policies/README.md", "# not policy\n");
    put("policies/.github/ci.yml", "on: push\n");
    put("more/extra.rego", "package extra\n");

    const loaded = loadPolicyDirectory([join(tmpDir.path, "policies"), join(tmpDir.path, "more")]);
    expect(loaded.files.map((f) => [f.file, f.bundlePath])).toEqual([
      [join(tmpDir.path, "policies/authz.rego"), "authz.rego"],
      [join(tmpDir.path, "policies/authz_test.rego"), "authz_test.rego"],
      [join(tmpDir.path, "more/extra.rego"), "extra.rego"],
    ]);
    expect(loaded.data).toEqual({
      limits: { max: 3 },
      roles: { viewers: ["bob"], bindings: { alice: ["admin"] } },
    });
  });

  it("names the file and the parser's message for invalid data", () => {
    const bad = put("p/data.json", "{ nope");
    expect(() => loadPolicyDirectory([join(tmpDir.path, "p")])).toThrow(PolicyLoadError);
    expect(() => loadPolicyDirectory([join(tmpDir.path, "p")])).toThrow(
      new RegExp(`^${bad}: invalid JSON: .+`),
    );
    const badYaml = put("q/data.yaml", "a: [1, 2\n");
    expect(() => loadPolicyDirectory([join(tmpDir.path, "q")])).toThrow(
      new RegExp(`^${badYaml}: invalid YAML: .+`),
    );
  });

  it("reports conflicting data and missing paths", () => {
    put("c/data.json", JSON.stringify({ a: 1 }));
    put("c/other.json", JSON.stringify({ a: 2 }));
    expect(() => loadPolicyDirectory([join(tmpDir.path, "c")])).toThrow(
      /conflicts with other data at data\.a/,
    );
    expect(() => loadPolicyDirectory([join(tmpDir.path, "missing")])).toThrow(
      `${join(tmpDir.path, "missing")}: no such file or directory`,
    );
  });
});
