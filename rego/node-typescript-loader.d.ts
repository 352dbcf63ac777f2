// Types of node-typescript-loader.js (plain JavaScript, so that any Node can parse it).

/** Node.js from which Gatehouse runs, e.g. "22.15". */
export const MINIMUM_NODE: string;

/** Why a Node of `version` (e.g. "20.11.1") cannot run Gatehouse, or undefined when it can. */
export function unsupportedNode(
  version: string,
  api?: { registerHooks?: unknown; stripTypeScriptTypes?: unknown; setSourceMapsSupport?: unknown },
): string | undefined;

/** Stops the process (exit 1) with that message when this Node cannot run Gatehouse. */
export function requireSupportedNode(): void;

/** Makes `import` of .ts files (outside node_modules) work in this thread. */
export function enableTypeScript(): void;

/** Runs `file` (a .ts path) as the main module, with `args` as its command-line arguments. */
export function runTypeScript(file: string, args: string[]): Promise<void>;
