// `node --import <this file>`: checks the Node version and enables the TypeScript load hook of
// node-typescript-loader.js in the process or worker thread being started (TYPESCRIPT_NODE_FLAGS).
import { enableTypeScript, requireSupportedNode } from "./node-typescript-loader.js";

requireSupportedNode();
enableTypeScript();
