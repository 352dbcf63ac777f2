// Plan-time `with` state: builtin/function mocks and data paths replaced under `with`. Rules
// reachable from a `with` body are planned again (as separate Funcs) for each distinct context.
// Value mocks travel as extra trailing params ("slots") of the Funcs planned in that context.

export type Mock =
  | { kind: "builtin"; name: string }
  | { kind: "function"; path: string[] } // without "data"
  | { kind: "value"; slot: number };

export interface PlanContext {
  id: number;
  key: string;
  /** "builtin:<name>" or "function:<path.joined>" => replacement */
  mocks: ReadonlyMap<string, Mock>;
  /** data paths (without "data") replaced by `with`: read from the data document, not rules */
  dataOverrides: readonly string[][];
  /** number of value-mock slots (extra params) */
  slots: number;
}

export const builtinMockKey = (name: string): string => `builtin:${name}`;
export const functionMockKey = (path: string[]): string => `function:${path.join(".")}`;

export class ContextTable {
  private byKey = new Map<string, PlanContext>();
  readonly root: PlanContext;

  constructor() {
    this.root = this.intern(new Map(), [], 0);
  }

  derive(
    base: PlanContext,
    mocks: [string, Mock][],
    overrides: string[][],
    slots: number,
  ): PlanContext {
    const merged = new Map(base.mocks);
    for (const [key, mock] of mocks) merged.set(key, mock);
    return this.intern(merged, [...base.dataOverrides, ...overrides], slots);
  }

  /** The context replacement functions run in: data overrides stay, mocks do not apply. */
  withoutMocks(base: PlanContext): PlanContext {
    return this.intern(new Map(), [...base.dataOverrides], 0);
  }

  private intern(mocks: Map<string, Mock>, overrides: string[][], slots: number): PlanContext {
    const sortedOverrides = [...new Set(overrides.map((p) => JSON.stringify(p)))].sort();
    const key = JSON.stringify([
      [...mocks].sort(([a], [b]) => (a < b ? -1 : 1)),
      sortedOverrides,
      slots,
    ]);
    let ctx = this.byKey.get(key);
    if (!ctx) {
      ctx = {
        id: this.byKey.size,
        key,
        mocks,
        dataOverrides: sortedOverrides.map((p) => JSON.parse(p) as string[]),
        slots,
      };
      this.byKey.set(key, ctx);
    }
    return ctx;
  }
}
