// What the sync reports, for telemetry (metrics, spans) and the status endpoint. Subscribe with
// GitSync.onSyncEvent(listener); listeners run synchronously and must not throw (a throw is logged).
import type { Stage } from "./pipeline.ts";

/** "watch": the local repository's ref changed (ref-watch.ts) */
export type SyncTrigger = "start" | "poll" | "webhook" | "manual" | "watch";

export type SyncEvent =
  /** the followed ref was fetched; `changed`: it points elsewhere than the last attempt */
  | {
      type: "fetched";
      at: string;
      trigger: SyncTrigger;
      durationMs: number;
      revision: string;
      changed: boolean;
    }
  /** the source could not be fetched (unreachable, authentication, no such ref); nothing changed */
  | { type: "fetch_failed"; at: string; trigger: SyncTrigger; durationMs: number; error: string }
  /** a commit passed every stage and is now active */
  | {
      type: "activated";
      at: string;
      revision: string;
      previousRevision: string;
      bundleDigest: string;
      durationMs: number;
      stages: Partial<Record<Stage, number>>;
      upstreams: { added: string[]; removed: string[]; changed: string[] };
    }
  /** a commit failed a stage; the previous revision stays active */
  | {
      type: "refused";
      at: string;
      revision: string;
      stage: Stage;
      problems: string[];
      durationMs: number;
    };

export type SyncEventListener = (event: SyncEvent) => void;
