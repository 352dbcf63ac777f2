// OPA bundles: a gzip-compressed tar holding `/.manifest`, `/data.json`, `/policy.wasm` and the
// Rego sources (docs: ../shared/docs/opa-wasm-abi.md §3).
import { gunzipSync, gzipSync } from "node:zlib";
import { parse as parseYaml } from "yaml";
import type { SourceFile } from "../index.ts";
import { mergeDataAt, type DataObject } from "./data-tree.ts";
import { readTar, writeTar, type TarEntry } from "./tar.ts";

export interface BundleManifest {
  revision: string;
  roots: string[];
  wasm: { entrypoint: string; module: string }[];
  [field: string]: unknown;
}

/** A Rego source; `bundlePath` (relative, `/`-separated) is where it goes in a bundle, else `file`. */
export interface BundleSourceFile extends SourceFile {
  bundlePath?: string;
}

export interface BundleContents {
  files: BundleSourceFile[];
  data: object;
  wasm: Uint8Array;
  /** slash-separated rule paths (`gatehouse/decision`); `data.` prefixes and dots are accepted */
  entrypoints: string[];
  revision?: string;
  roots?: string[];
}

export interface Bundle {
  manifest: BundleManifest;
  /** Rego sources; `file` is the entry name without its leading slash */
  files: SourceFile[];
  data: DataObject;
  /** the module the manifest names (or `/policy.wasm`), if any */
  wasm?: Uint8Array;
  /** every `policy.wasm` in the bundle, by absolute entry name */
  wasmModules: Record<string, Uint8Array>;
}

const policyWasm = "/policy.wasm";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `data.a.b`, `a.b`, `a/b` and `/a/b` all name the entrypoint `a/b`. */
export function entrypointPath(entrypoint: string): string {
  const trimmed = entrypoint.replace(/^data\./, "").replace(/^\/+/, "");
  return trimmed.includes("/") ? trimmed : trimmed.split(".").join("/");
}

export function writeBundle(contents: BundleContents): Buffer {
  const manifest: BundleManifest = {
    revision: contents.revision ?? "",
    roots: contents.roots ?? [""],
    wasm: contents.entrypoints.map((e) => ({ entrypoint: entrypointPath(e), module: policyWasm })),
  };
  const entries: TarEntry[] = [
    { name: "/.manifest", data: encoder.encode(JSON.stringify(manifest)) },
    { name: "/data.json", data: encoder.encode(JSON.stringify(contents.data)) },
    { name: policyWasm, data: contents.wasm },
  ];
  const seen = new Set(entries.map((e) => e.name));
  for (const f of contents.files) {
    const name = `/${(f.bundlePath ?? f.file).replace(/\\/g, "/").replace(/^(\.?\/)+/, "")}`;
    if (seen.has(name))
      throw new Error(`two files would be stored as ${name} in the bundle (${f.file})`);
    seen.add(name);
    entries.push({ name, data: encoder.encode(f.source) });
  }
  return gzipSync(writeTar(entries));
}

/** Reads a bundle written by writeBundle or by `opa build` (gzip-compressed or plain tar). */
export function readBundle(archive: Uint8Array): Bundle {
  const isGzip = archive[0] === 0x1f && archive[1] === 0x8b;
  const entries = readTar(isGzip ? gunzipSync(archive) : archive);
  let manifest: BundleManifest = { revision: "", roots: [""], wasm: [] };
  const files: SourceFile[] = [];
  const data: DataObject = {};
  const wasmModules: Record<string, Uint8Array> = {};

  for (const entry of entries) {
    const name = `/${entry.name.replace(/^(\.?\/)+/, "")}`;
    const base = name.slice(name.lastIndexOf("/") + 1);
    const folder = name.slice(1, name.lastIndexOf("/")).split("/").filter(Boolean);
    if (name === "/.manifest") {
      manifest = { ...manifest, ...(parseEntry(name, entry.data, "json") as object) };
    } else if (base === "data.json" || base === "data.yaml" || base === "data.yml") {
      mergeDataAt(
        data,
        folder,
        parseEntry(name, entry.data, base === "data.json" ? "json" : "yaml"),
        name,
      );
    } else if (base === "policy.wasm") {
      wasmModules[name] = new Uint8Array(entry.data);
    } else if (base.endsWith(".rego")) {
      files.push({ file: name.slice(1), source: decoder.decode(entry.data) });
    } else if (base === "patch.json") {
      throw new Error("delta bundles (patch.json) are not supported");
    }
    // anything else (e.g. /.signatures.json) is not part of the policy
  }
  const named = manifest.wasm[0]?.module;
  const wasm = (named && wasmModules[`/${named.replace(/^\/+/, "")}`]) || wasmModules[policyWasm];
  return { manifest, files, data, wasm, wasmModules };
}

function parseEntry(name: string, bytes: Uint8Array, format: "json" | "yaml"): unknown {
  const text = decoder.decode(bytes);
  try {
    return format === "json" ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new Error(`${name}: invalid ${format.toUpperCase()}: ${(e as Error).message}`);
  }
}
