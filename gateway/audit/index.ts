// Public entry of the audit module: decision recorder, stores, chain verification.
export { DEFAULT_AUDIT_CONFIG, auditLayer, resolveAudit, parseDuration } from "./config.ts";
export type { AuditConfig, AuditLayer, StoreFailureMode } from "./config.ts";
export { DecisionRecorder, createDecisionRecorder } from "./recorder.ts";
export type { DecisionRecorderOptions, TraceIdsFor } from "./recorder.ts";
export { openAuditStore, storeLocation, defaultStoreLocation } from "./open.ts";
export { AuditUnavailableError } from "./writer.ts";
export { verifyChain } from "./verify.ts";
export type { VerifyReport, ChainBreak, ChainProblem, VerifyOptions } from "./verify.ts";
export { CheckpointSigner, parseCheckpoint } from "./checkpoint.ts";
export type { Checkpoint, CheckpointReason } from "./checkpoint.ts";
export { TrustedKeys, loadSigningKey, readPublicKey } from "./signing-key.ts";
export type { SigningKey } from "./signing-key.ts";
export type { AuditRecord, RecordBody } from "./record.ts";
export type { AuditFilter, AuditStore } from "./store.ts";
