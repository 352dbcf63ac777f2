// Host imports of the runtime.
// `env.*` are OPA ABI imports the SDK provides. `gatehouse.*` are placeholders the linker
// (rego/wasm/link.ts) replaces with functions holding the policy's data; tests provide them from JS.

@external("env", "opa_abort")
export declare function opa_abort(addr: usize): void;

@external("env", "opa_println")
export declare function opa_println(addr: usize): void;

/** Run plan `entrypoint`, adding binding objects to `resultSet`. */
@external("gatehouse", "gh_eval")
export declare function gh_eval(entrypoint: i32, input: usize, data: usize, resultSet: usize): void;

/** Address of NUL-terminated JSON `{"<host builtin name>": id, ...}`. */
@external("gatehouse", "gh_builtins_json")
export declare function gh_builtins_json(): usize;

/** Address of NUL-terminated JSON `{"<entrypoint>": id, ...}`. */
@external("gatehouse", "gh_entrypoints_json")
export declare function gh_entrypoints_json(): usize;

/** First free byte after all static data (16-byte aligned). */
@external("gatehouse", "gh_heap_base")
export declare function gh_heap_base(): usize;

/** Bit 0: strict builtin errors. */
@external("gatehouse", "gh_options")
export declare function gh_options(): i32;

/** Number of memoised planned functions. */
@external("gatehouse", "gh_memo_slots")
export declare function gh_memo_slots(): i32;

/** Default evaluation budget in fuel units (fuel.ts); 0 = an unmetered build. */
@external("gatehouse", "gh_budget_default")
export declare function gh_budget_default(): i64;
