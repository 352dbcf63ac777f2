// Supply chain: a stdio server started through a package runner (npx, pnpm dlx, bunx, uvx, pipx
// run, ...) downloads its code at every start. Without an exact version, what runs is whatever was
// published last: a compromised or typosquatted release reaches the gateway on its next restart.
// The catalog must pin an exact version (pkg@1.2.3, pkg==1.2.3) or run an installed binary.

/** One unpinned package: the field holding it and what to write instead. */
export interface UnpinnedPackage {
  /** field path inside the server file: transport.command or transport.args[i] */
  field: string;
  message: string;
}

type Ecosystem = "npm" | "python" | "deno";

interface Runner {
  ecosystem: Ecosystem;
  /** flags whose value names a package */
  packageFlags: string[];
  /** among those, the ones after which the first positional word is a command, not a package
   * (npx -p pkg cmd, uvx --from pkg cmd) */
  commandFlags: string[];
  /** other flags that take a value (skipped with it) */
  valueFlags: string[];
}

const NPX: Runner = {
  ecosystem: "npm",
  packageFlags: ["-p", "--package"],
  commandFlags: ["-p", "--package"],
  valueFlags: [
    "-c",
    "--call",
    "--registry",
    "--cache",
    "--userconfig",
    "--prefix",
    "-w",
    "--workspace",
  ],
};
const BUNX: Runner = { ...NPX, valueFlags: ["--registry", "--cwd"] };
const UVX: Runner = {
  ecosystem: "python",
  packageFlags: ["--from", "--with"],
  commandFlags: ["--from"],
  valueFlags: ["--python", "-p", "--index", "--index-url", "--extra-index-url", "--directory"],
};
const PIPX: Runner = {
  ecosystem: "python",
  packageFlags: ["--spec"],
  commandFlags: ["--spec"],
  valueFlags: ["--python", "--index-url", "--pip-args"],
};
const DENO: Runner = {
  ecosystem: "deno",
  packageFlags: [],
  commandFlags: [],
  valueFlags: ["--config", "-c", "--import-map", "--lock", "--cert", "--location"],
};

/** Runners by the command (and sub-command words) that start them. */
const RUNNERS: { words: string[]; runner: Runner; name: string }[] = [
  { words: ["npx"], runner: NPX, name: "npx" },
  { words: ["npm", "exec"], runner: NPX, name: "npm exec" },
  { words: ["npm", "x"], runner: NPX, name: "npm exec" },
  { words: ["pnpx"], runner: NPX, name: "pnpm dlx" },
  { words: ["pnpm", "dlx"], runner: NPX, name: "pnpm dlx" },
  { words: ["yarn", "dlx"], runner: NPX, name: "yarn dlx" },
  { words: ["bunx"], runner: BUNX, name: "bunx" },
  { words: ["bun", "x"], runner: BUNX, name: "bunx" },
  { words: ["uvx"], runner: UVX, name: "uvx" },
  { words: ["uv", "tool", "run"], runner: UVX, name: "uvx" },
  { words: ["pipx", "run"], runner: PIPX, name: "pipx run" },
  { words: ["deno", "run"], runner: DENO, name: "deno run" },
];

/** Shells whose `-c` script is read for package runners too (word by word; detection only). */
const SHELLS = new Set(["sh", "bash", "zsh", "dash", "ash"]);

/** Every unpinned package a stdio command would fetch. */
export function unpinnedPackages(command: string, args: readonly string[]): UnpinnedPackage[] {
  const fieldOf = (i: number) => (i === 0 ? "transport.command" : `transport.args[${i - 1}]`);
  const shell = SHELLS.has(programName(command)) ? args.indexOf("-c") : -1;
  if (shell >= 0 && args[shell + 1] !== undefined) {
    // sh -c "cd x && exec npx -y pkg": a runner may start at any word of the script; all are
    // reported at the script's field
    const field = fieldOf(shell + 2);
    const script = args[shell + 1]!.split(/[\s;&|()`]+/).filter((w) => w !== "");
    // (env npx pkg is seen from env and from npx: each package once)
    const messages = new Set(script.flatMap((_, i) => runnerAt(script, i).map((p) => p.message)));
    return [...messages].map((message) => ({ field, message }));
  }
  return runnerAt([command, ...args], 0).map((p) => ({
    field: fieldOf(p.index),
    message: p.message,
  }));
}

/** The unpinned packages of a runner invocation starting at `start` (after `env VAR=value`). */
function runnerAt(words: readonly string[], start: number): { index: number; message: string }[] {
  if (programName(words[start] ?? "") === "env") {
    start++;
    while (start < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[start]!)) start++;
  }
  const head = words.slice(start).map((w, i) => (i === 0 ? programName(w) : w));
  const match = RUNNERS.find((r) => r.words.every((w, i) => head[i] === w));
  if (!match) return [];
  return packagesOf(match.runner, words, start + match.words.length)
    .filter((p) => !isPinned(match.runner.ecosystem, p.spec))
    .map((p) => ({ index: p.index, message: unpinnedMessage(match.name, match.runner, p.spec) }));
}

/** The package specs a runner's arguments name, with the index of the word holding each. */
function packagesOf(runner: Runner, words: readonly string[], from: number) {
  const packages: { index: number; spec: string }[] = [];
  let commandNamed = false;
  const positional = (i: number) => {
    if (!commandNamed && words[i] !== undefined) packages.push({ index: i, spec: words[i]! });
  };
  for (let i = from; i < words.length; i++) {
    const word = words[i]!;
    if (word === "--") {
      positional(i + 1);
      break;
    }
    const eq = word.startsWith("--") ? word.indexOf("=") : -1;
    const flag = eq > 0 ? word.slice(0, eq) : word;
    const inline = eq > 0 ? word.slice(eq + 1) : undefined;
    if (runner.packageFlags.includes(flag) || runner.valueFlags.includes(flag)) {
      const index = inline !== undefined ? i : i + 1;
      const value = inline ?? words[index];
      if (inline === undefined) i++;
      if (value !== undefined && runner.packageFlags.includes(flag)) {
        packages.push({ index, spec: value });
        if (runner.commandFlags.includes(flag)) commandNamed = true;
      }
      continue;
    }
    if (word.startsWith("-")) continue;
    positional(i);
    break;
  }
  return packages;
}

/** An exact release: 1.2.3, 1.2.3-rc.1, 1.2.3+build (no ranges, tags, latest or partial versions). */
const EXACT_VERSION = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

function isPinned(ecosystem: Ecosystem, spec: string): boolean {
  // files on this machine are not fetched
  if (/^(\.{1,2}\/|\/|file:)/.test(spec)) return true;
  if (ecosystem === "python") {
    // pkg==1.2.3 (PEP 440 exact match; extras allowed) or uvx's pkg@1.2.3
    const exact =
      /^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?(===?|@)([0-9][0-9A-Za-z.+!-]*)$/.exec(
        spec,
      );
    return exact !== null && !/[*]/.test(exact[3]!);
  }
  if (ecosystem === "deno") {
    // only registry specifiers are fetched by name; URLs and local modules are what they say
    const registry = /^(npm|jsr):(.+)$/.exec(spec);
    return registry === null || npmPinned(registry[2]!);
  }
  return npmPinned(spec);
}

function npmPinned(spec: string): boolean {
  // git and tarball specs: only a full commit hash pins them
  if (
    /^(git\+|git:|github:|gitlab:|bitbucket:|https?:)/.test(spec) ||
    /^[^@/]+\/[^@/]+(#.*)?$/.test(spec)
  )
    return /#[0-9a-f]{40}$/.test(spec);
  const at = spec.lastIndexOf("@");
  if (at <= 0) return false; // no version (a leading @ is the scope)
  return EXACT_VERSION.test(spec.slice(at + 1));
}

function unpinnedMessage(name: string, runner: Runner, spec: string): string {
  const example =
    runner.ecosystem === "python"
      ? `${baseName(spec, "python")}==1.2.3`
      : runner.ecosystem === "deno"
        ? `npm:${baseName(spec.replace(/^(npm|jsr):/, ""), "npm")}@1.2.3`
        : `${baseName(spec, "npm")}@1.2.3`;
  return (
    `${name} fetches ${JSON.stringify(spec)} without an exact version: each start runs whatever was published last ` +
    `(a compromised or look-alike release included); pin the version (${example}), or install the package with the gateway and run its binary`
  );
}

/** The package name without its version or range. */
function baseName(spec: string, ecosystem: "npm" | "python"): string {
  if (ecosystem === "python") return spec.split(/[=<>~!@\[ ]/)[0] || spec;
  const at = spec.lastIndexOf("@");
  return at > 0 ? spec.slice(0, at) : spec;
}

/** `npx` of /usr/local/bin/npx, npx.cmd or npx.exe. */
function programName(command: string): string {
  const base = command.split(/[\\/]/).pop() ?? command;
  return base.replace(/\.(cmd|exe|bat)$/i, "").toLowerCase();
}
