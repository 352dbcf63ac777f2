#!/usr/bin/env node
// `node cli/bin/check-node.js`: exits 1 with "Gatehouse needs Node.js >= …" on a Node too old to
// run Gatehouse (npm start runs it first, before building anything).
import { requireSupportedNode } from "../../rego/node-typescript-loader.js";

requireSupportedNode();
