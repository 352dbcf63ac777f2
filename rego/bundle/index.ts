// OPA bundles (.tar.gz) and policy folders: what `gatehouse policy build` writes and the gateway loads.
export { writeBundle, readBundle, entrypointPath } from "./bundle.ts";
export type { Bundle, BundleContents, BundleManifest, BundleSourceFile } from "./bundle.ts";
export { loadPolicyDirectory, PolicyLoadError } from "./directory.ts";
export type { PolicyDirectory } from "./directory.ts";
export { mergeDataAt } from "./data-tree.ts";
export type { DataObject } from "./data-tree.ts";
