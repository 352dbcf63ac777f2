// Opens the decision store a location names: a postgres:// URL or a SQLite file path.
import { join } from "node:path";
import type { CheckpointSigner } from "./checkpoint.ts";
import { isPostgresLocation, type AuditConfig } from "./config.ts";
import { PostgresAuditStore } from "./postgres-store.ts";
import { SqliteAuditStore } from "./sqlite-store.ts";
import type { AuditStore } from "./store.ts";

export function defaultStoreLocation(dataDir: string): string {
  return join(dataDir, "audit.db");
}

export function storeLocation(audit: AuditConfig, dataDir: string): string {
  return audit.store ?? defaultStoreLocation(dataDir);
}

export function openAuditStore(
  location: string,
  options: { schema: string; readonly?: boolean; signer?: CheckpointSigner },
): AuditStore {
  if (isPostgresLocation(location)) {
    return new PostgresAuditStore({
      connectionString: location,
      schema: options.schema,
      signer: options.signer,
    });
  }
  return new SqliteAuditStore(location, { readonly: options.readonly, signer: options.signer });
}
