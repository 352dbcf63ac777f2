// How processes and worker threads that load our `.ts` files are started: `--import` of a module
// that registers the TypeScript load hook of node-typescript-loader.js (Node's own transform,
// as `--experimental-transform-types` does, with the output cached on disk so a thread that
// starts again skips it). Needs Node >= 22.15. (A loader such as tsx would also work, but it
// re-transforms the 15 MB binaryen.js at every process start: about 7 s against 0.4 s.)
export const TYPESCRIPT_NODE_FLAGS: readonly string[] = [
  "--import",
  new URL("./node-typescript-register.js", import.meta.url).href,
];
