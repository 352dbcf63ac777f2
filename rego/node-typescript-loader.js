// Runs Gatehouse's TypeScript sources in this very process: the launcher (cli/bin/gatehouse.js)
// needs no child process with flags, so the pid a user or a service manager starts is the program
// itself. A load hook erases each .ts file's types and keeps the output in node_modules/.cache,
// keyed by the source's digest, so a later start skips the transform. A file whose types can be
// blanked out in place (most of them) keeps its lines and columns and needs no source map; one
// with syntax that becomes code (parameter properties) is transformed as
// `--experimental-transform-types` would, with an inline source map. V8's compile cache
// (node_modules/.cache/gatehouse-compile) spares later starts the parsing of every module.
// Worker threads and child processes get it with `--import` (node-typescript.ts).
// Plain JavaScript that any Node parses: the version check must run before anything newer.
import nodeModule from "node:module";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Node.js from which the hooks below exist (module.registerHooks, stripTypeScriptTypes and
 * setSourceMapsSupport). */
export const MINIMUM_NODE = "22.15";

const cacheDir = fileURLToPath(
  new URL("../node_modules/.cache/gatehouse-typescript/", import.meta.url),
);
const compileCacheDir = fileURLToPath(
  new URL("../node_modules/.cache/gatehouse-compile/", import.meta.url),
);
/** part of every cache key: a change to how files are transformed retires the old entries */
const TRANSFORM_VERSION = "strip-or-transform-1";
/**
 * zod re-exports its 60-odd translations of error messages as `z.locales`, which Gatehouse never
 * uses (its messages are English, from the locale zod's schemas import themselves): loading them
 * was a quarter of zod's import.
 */
const UNUSED_ZOD_LOCALES = "/node_modules/zod/v4/locales/index.js";
/** only the project's own files are cached: one entry per file, so the cache stays bounded */
const projectRoot = new URL("../", import.meta.url).href;

/** Why a Node of `version` (e.g. "20.11.1") cannot run Gatehouse, or undefined when it can. */
export function unsupportedNode(version, api = nodeModule) {
  const [major, minor] = version.split(".").map(Number);
  const [needMajor, needMinor] = MINIMUM_NODE.split(".").map(Number);
  const recent = major > needMajor || (major === needMajor && minor >= needMinor);
  const hooks =
    typeof api.registerHooks === "function" &&
    typeof api.stripTypeScriptTypes === "function" &&
    typeof api.setSourceMapsSupport === "function";
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
  // stack traces point at the .ts lines, as they do under the flag; dependencies' own source maps
  // are not read (loading binaryen's and the SDKs' took about 150 ms of every gateway start)
  nodeModule.setSourceMapsSupport(true, { nodeModules: false, generatedCode: false });
  // a failure (read-only install) only leaves the cache off
  nodeModule.enableCompileCache(compileCacheDir);
  nodeModule.registerHooks({
    load(url, context, nextLoad) {
      if (url.endsWith(UNUSED_ZOD_LOCALES))
        return { format: "module", source: "export {};", shortCircuit: true };
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
  keepProcessGettersLazy();
  process.argv = [process.argv[0], file, ...args];
  await import(pathToFileURL(file).href);
}

/**
 * `import process from "node:process"` (commander does it) builds a facade that reads every
 * enumerable property of `process`: that opens stdin and computes the set of allowed flags, a
 * good part of a short command's start-up. Both stay lazy getters, only not enumerable, so the
 * facade skips them (no module imports either by name).
 */
function keepProcessGettersLazy() {
  for (const name of ["stdin", "allowedNodeEnvironmentFlags"]) {
    const property = Object.getOwnPropertyDescriptor(process, name);
    if (property?.get && property.configurable)
      Object.defineProperty(process, name, { ...property, enumerable: false });
  }
}

function isProjectTypeScript(url) {
  // Node refuses to transform dependencies' TypeScript; so do we
  return url.startsWith("file:") && url.endsWith(".ts") && !url.includes("/node_modules/");
}

function transformed(url, source) {
  if (!url.startsWith(projectRoot)) return transform(url, source);
  const key = createHash("sha256")
    .update(`${TRANSFORM_VERSION}\0${process.version}\0${url}\0`)
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
  const code = transform(url, source);
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

/** JavaScript for a .ts source: its types blanked out in place, or transformed with a source map. */
function transform(url, source) {
  try {
    return nodeModule.stripTypeScriptTypes(source, { mode: "strip" });
  } catch (e) {
    if (e?.code !== "ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX") throw e;
    return nodeModule.stripTypeScriptTypes(source, {
      mode: "transform",
      sourceMap: true,
      sourceUrl: url,
    });
  }
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
