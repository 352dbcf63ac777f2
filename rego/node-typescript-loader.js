// Runs Gatehouse's TypeScript sources in this very process: the launcher (cli/bin/gatehouse.js)
// needs no child process with flags, so the pid a user or a service manager starts is the program
// itself. A load hook transforms each .ts file as `--experimental-transform-types` would (types
// erased, parameter properties rewritten) and keeps the output in node_modules/.cache, keyed by
// the source's digest, so a later start skips the transform (most of a command's start-up).
// Worker threads and child processes get it with `--import` (node-typescript.ts).
// Plain JavaScript that any Node parses: the version check must run before anything newer.
import nodeModule from "node:module";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Node.js from which the hooks below exist (module.registerHooks, module.stripTypeScriptTypes). */
export const MINIMUM_NODE = "22.15";

const cacheDir = fileURLToPath(
  new URL("../node_modules/.cache/gatehouse-typescript/", import.meta.url),
);
/** only the project's own files are cached: one entry per file, so the cache stays bounded */
const projectRoot = new URL("../", import.meta.url).href;

/** Why a Node of `version` (e.g. "20.11.1") cannot run Gatehouse, or undefined when it can. */
export function unsupportedNode(version, api = nodeModule) {
  const [major, minor] = version.split(".").map(Number);
  const [needMajor, needMinor] = MINIMUM_NODE.split(".").map(Number);
  const recent = major > needMajor || (major === needMajor && minor >= needMinor);
  const hooks =
    typeof api.registerHooks === "function" && typeof api.stripTypeScriptTypes === "function";
  if (recent && hooks) return undefined;
  return `Gatehouse needs Node.js >= ${MINIMUM_NODE} (this is v${version}); install Node 22 LTS or newer`;
}

/** Stops with a message naming the version needed when this Node cannot run Gatehouse. */
export function requireSupportedNode() {
  const problem = unsupportedNode(process.versions.node);
  if (problem === undefined) return;
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}

/** Makes `import` of .ts files (outside node_modules) work in this thread. */
export function enableTypeScript() {
  if (process.features.typescript === "transform") return; // started with the flags already
  silenceExperimentalWarnings();
  // stack traces point at the .ts lines, as they do under the flag
  process.setSourceMapsEnabled(true);
  nodeModule.registerHooks({
    load(url, context, nextLoad) {
      if (!isProjectTypeScript(url)) return nextLoad(url, context);
      const source = readFileSync(fileURLToPath(url), "utf8");
      return { format: "module", source: transformed(url, source), shortCircuit: true };
    },
  });
}

/** Runs `file` (a .ts path) as the main module, with `args` as its command-line arguments. */
export async function runTypeScript(file, args) {
  requireSupportedNode();
  enableTypeScript();
  process.argv = [process.argv[0], file, ...args];
  await import(pathToFileURL(file).href);
}

function isProjectTypeScript(url) {
  // Node refuses to transform dependencies' TypeScript; so do we
  return url.startsWith("file:") && url.endsWith(".ts") && !url.includes("/node_modules/");
}

function transformed(url, source) {
  const transform = () =>
    nodeModule.stripTypeScriptTypes(source, { mode: "transform", sourceMap: true, sourceUrl: url });
  if (!url.startsWith(projectRoot)) return transform();
  const key = createHash("sha256")
    .update(`${process.version}\0${url}\0`)
    .update(source)
    .digest("hex");
  const file = join(cacheDir, `${createHash("sha256").update(url).digest("hex").slice(0, 32)}.js`);
  const header = `// ${key}\n`;
  try {
    const cached = readFileSync(file, "utf8");
    if (cached.startsWith(header)) return cached.slice(header.length);
  } catch {
    // not cached yet
  }
  const code = transform();
  // write then rename: a concurrent start reads the old file or the new one, never half of one
  const partial = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(partial, header + code);
    renameSync(partial, file);
  } catch {
    // a read-only install runs without the cache
    try {
      rmSync(partial, { force: true });
    } catch {
      // nothing was written
    }
  }
  return code;
}

/** What `--disable-warning=ExperimentalWarning` does for the flagged start. */
function silenceExperimentalWarnings() {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (warning, ...rest) {
    const type = typeof rest[0] === "string" ? rest[0] : rest[0]?.type;
    if (type === "ExperimentalWarning") return;
    return emitWarning.call(this, warning, ...rest);
  };
}
