// Node runs Gatehouse's TypeScript sources itself with these flags (Node >= 22.7: types erased,
// parameter properties and enums transformed). Processes and worker threads that load our `.ts`
// files are started with them. (A loader such as tsx would also work, but it re-transforms the
// 15 MB binaryen.js at every process start: about 7 s against 0.4 s.)
export const TYPESCRIPT_NODE_FLAGS: readonly string[] = [
  "--experimental-transform-types",
  "--disable-warning=ExperimentalWarning",
];
