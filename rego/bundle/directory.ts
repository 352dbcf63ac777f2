// Collects the Rego modules and the base data document from policy folders, as `opa build <dir>`
// and `opa eval -d <dir>` load them.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative, sep } from "node:path";
import { parse as parseYaml } from "yaml";
import type { BundleSourceFile } from "./bundle.ts";
import { mergeDataAt, type DataObject } from "./data-tree.ts";

export interface PolicyDirectory {
  /** `file` is the path as the user names it (for messages); `bundlePath` is relative to its folder */
  files: BundleSourceFile[];
  data: DataObject;
}

/** A folder or file that cannot be read or parsed; the message names the path. */
export class PolicyLoadError extends Error {
  override name = "PolicyLoadError";
}

/**
 * Every `*.rego` file is a module (tests, `*_test.rego`, included, as OPA does). Every `*.json`,
 * `*.yaml` and `*.yml` file is data merged under its folder's path relative to the folder given:
 * `roles/bindings/data.json` becomes `data.roles.bindings`. Like `opa eval -d`, the file name plays
 * no part, so names other than data.json/data.yaml land at their folder's path too (and conflicting
 * values are an error). Entries whose name starts with a dot (.git, .github, ...) are not read.
 * A file given directly is taken as if its folder held only that file.
 */
export function loadPolicyDirectory(paths: string[]): PolicyDirectory {
  const files: BundleSourceFile[] = [];
  const data: DataObject = {};
  for (const root of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(root).isDirectory();
    } catch {
      throw new PolicyLoadError(`${root}: no such file or directory`);
    }
    const found = isDirectory ? filesUnder(root) : [root];
    for (const path of found) {
      const rel = isDirectory ? relative(root, path).split(sep).join("/") : basename(path);
      if (path.endsWith(".rego")) {
        files.push({ file: path, source: readText(path), bundlePath: rel });
      } else if (/\.(json|ya?ml)$/.test(path)) {
        const folder = rel.split("/").slice(0, -1);
        const value = parseDataFile(path);
        if (value === undefined) continue;
        try {
          mergeDataAt(data, folder, value, path);
        } catch (e) {
          throw e instanceof PolicyLoadError ? e : new PolicyLoadError((e as Error).message);
        }
      } else if (!isDirectory) {
        throw new PolicyLoadError(`${path}: not a .rego, .json, .yaml or .yml file`);
      }
    }
  }
  return { files, data };
}

function filesUnder(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    throw new PolicyLoadError(`${dir}: cannot read folder: ${(e as Error).message}`);
  }
  const out: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new PolicyLoadError(`${path}: cannot read file: ${(e as Error).message}`);
  }
}

/** The file's value, or undefined for an empty file. */
function parseDataFile(path: string): unknown {
  const text = readText(path);
  if (text.trim() === "") return undefined;
  const json = path.endsWith(".json");
  try {
    return json ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new PolicyLoadError(
      `${path}: invalid ${json ? "JSON" : "YAML"}: ${(e as Error).message}`,
    );
  }
}
