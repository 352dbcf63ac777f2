// graph.reachable and graph.reachable_paths over an adjacency object (node => set or array of
// neighbours), as OPA walks it. reachable_paths shares one set of visited nodes per neighbour of
// each initial node (a node reached on one branch ends the paths of its later siblings), as the
// conformance cases expect. Paths can grow exponentially with the graph: the walk is bounded.
import { builtinError, operandTypeError } from "./errors.ts";
import type { HostBuiltinTable } from "./types.ts";
import { isObject, setOf, type JsonObject } from "./values.ts";

/** Steps of one reachable_paths walk (each visit of a node on a path is one). */
const MAX_PATH_STEPS = 1_000_000;

function graphOperand(value: unknown): JsonObject {
  if (!isObject(value)) throw operandTypeError(1, value, "object");
  return value;
}

function initialOperand(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw operandTypeError(2, value, "array", "set");
  return value;
}

/** A node's neighbours, or undefined when the node is not a key of the graph. */
function edgesOf(graph: JsonObject, node: unknown): unknown[] | undefined {
  if (typeof node !== "string" || !Object.hasOwn(graph, node)) return undefined;
  const edges = graph[node];
  return Array.isArray(edges) ? edges : [];
}

const keyOf = (v: unknown): string => JSON.stringify(v);

function reachable([graphValue, initialValue]: unknown[]): unknown[] {
  const graph = graphOperand(graphValue);
  const queue = [...initialOperand(initialValue)];
  const reached = new Map<string, unknown>();
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i];
    const edges = edgesOf(graph, node);
    if (!edges) continue;
    for (const neighbour of edges) if (!reached.has(keyOf(neighbour))) queue.push(neighbour);
    reached.set(keyOf(node), node);
  }
  return setOf(reached.values());
}

function reachablePaths([graphValue, initialValue]: unknown[]): unknown[] {
  const graph = graphOperand(graphValue);
  const initial = initialOperand(initialValue);
  const paths: unknown[][] = [];
  let steps = 0;
  const build = (root: unknown, path: unknown[], reached: Set<string>): void => {
    if (++steps > MAX_PATH_STEPS) {
      throw builtinError(`the graph has too many paths (more than ${MAX_PATH_STEPS} steps)`);
    }
    const edges = edgesOf(graph, root);
    if (!edges) {
      paths.push(path);
      return;
    }
    const here = [...path, root];
    if (edges.length === 0) {
      paths.push(here);
      return;
    }
    reached.add(keyOf(root));
    for (const neighbour of edges) {
      if (reached.has(keyOf(neighbour))) paths.push(here);
      else build(neighbour, here, reached);
    }
  };
  for (const node of initial) {
    const edges = edgesOf(graph, node);
    if (!edges) continue;
    if (edges.length === 0) paths.push([node]);
    for (const neighbour of edges) build(neighbour, [node], new Set([keyOf(node)]));
  }
  return setOf(paths);
}

export const graphBuiltins: HostBuiltinTable = {
  "graph.reachable": reachable,
  "graph.reachable_paths": reachablePaths,
};
