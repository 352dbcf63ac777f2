// GitOps (docs/sync.md): follow a Git repository of catalog and policies, activate only what passes.
export { startGateway } from "./start.ts";
export type { RunningGateway } from "./start.ts";
export { GitSync, SyncStartError } from "./sync.ts";
export type { SyncStatus, SyncTarget } from "./sync.ts";
export type { SyncEvent, SyncEventListener, SyncTrigger } from "./events.ts";
export type { Stage } from "./pipeline.ts";
export type { GatewayStatus } from "./status.ts";
export { DEFAULT_SYNC_CONFIG } from "./config.ts";
export type { SyncConfig, SyncLayer } from "./config.ts";
