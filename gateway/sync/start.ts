// Starts the gateway with GitOps when the config asks for it: the sync's first revision (or the
// folders, when following their own repository) becomes the initial state, /-/sync and /-/status
// are routed, and the sync then follows the source. With sync off it is Gateway.start plus
// /-/status.
import { resolveSecret } from "../catalog/secrets.ts";
import type { GatewayConfig } from "../config.ts";
import { Gateway, type ActiveState, type GatewayDeps } from "../gateway.ts";
import { stderrLogger } from "../log.ts";
import { PolicyEngine, policyLimitOptions } from "../policy/index.ts";
import { createStatusHandler } from "./status.ts";
import { GitSync } from "./sync.ts";
import { createWebhookHandler } from "./webhook.ts";

export interface RunningGateway {
  gateway: Gateway;
  /** undefined when sync is off or the folders are not in a repository */
  sync: GitSync | undefined;
  /** stops following, then shuts the gateway down gracefully */
  close(): Promise<void>;
}

/**
 * Following the served folders' own repository: the folders compiled under the commit they hold
 * (`<commit>+dirty` when they differ from it), so decisions made before the next commit already
 * carry a revision `audit query --revision` finds. Undefined otherwise (Gateway.start compiles the
 * folders under their digest).
 */
async function foldersAtCommit(
  config: GatewayConfig,
  sync: GitSync | undefined,
): Promise<Pick<ActiveState, "policy"> | undefined> {
  const revision = sync?.source.startRevision;
  if (revision === undefined) return undefined;
  const policy = await PolicyEngine.fromDirectories(config.policyDirs, {
    ...policyLimitOptions(config.policy),
    revision,
  });
  return { policy };
}

export async function startGateway(
  config: GatewayConfig,
  deps: GatewayDeps & { env?: NodeJS.ProcessEnv } = {},
): Promise<RunningGateway> {
  const log = deps.log ?? stderrLogger;
  const env = deps.env ?? process.env;
  // secrets resolve before anything starts, so a missing one stops the start with its reference
  const operatorToken =
    config.operatorToken === null ? null : resolveSecret(config.operatorToken, env);
  const sync = await GitSync.fromConfig(config, { log, env });
  const webhookSecret =
    sync && config.sync.webhookSecret !== null
      ? resolveSecret(config.sync.webhookSecret, env)
      : undefined;
  let initial: Partial<ActiveState> | undefined;
  try {
    initial =
      (await sync?.initialState()) ??
      (deps.policy ? undefined : await foldersAtCommit(config, sync));
  } catch (e) {
    await sync?.close();
    throw e;
  }

  let gateway: Gateway | undefined;
  const routes: NonNullable<GatewayDeps["routes"]> = {
    ...deps.routes,
    "/-/status": createStatusHandler({
      config,
      token: operatorToken,
      sync,
      gateway: () => gateway,
    }),
    "/-/sync":
      sync && webhookSecret !== undefined
        ? createWebhookHandler({
            sync,
            secret: webhookSecret,
            maxBytes: config.sync.webhookMaxBytes,
            log,
          })
        : async (ctx) => {
            ctx.status = 404;
            ctx.body = {
              error: sync
                ? "the sync webhook is off: set sync.webhookSecret (env:NAME or file:/path)"
                : "sync is off: nothing to fetch",
            };
          },
  };
  try {
    gateway = await Gateway.start(config, {
      ...deps,
      ...(initial?.catalog && { catalog: initial.catalog }),
      ...(initial?.policy && { policy: initial.policy }),
      routes,
    });
  } catch (e) {
    await sync?.close();
    throw e;
  }
  if (sync) {
    const running = gateway;
    sync.onSyncEvent((event) => {
      // a fetch that found a new head is not an outcome yet: its attempt (activated or refused)
      // follows, and only that may count as a success
      if (event.type === "fetched" && event.changed) return;
      const { active, lastFetch, lastAttempt } = sync.status();
      const refused =
        lastAttempt?.outcome === "refused" && lastAttempt.revision === lastFetch?.revision;
      running.telemetry.setSyncState({
        revision: active?.revision ?? null,
        lastError: !lastFetch?.ok
          ? (lastFetch?.error ?? "not fetched")
          : refused
            ? `${lastAttempt.stage}: ${lastAttempt.problems?.[0] ?? "refused"}`
            : null,
      });
    });
    sync.attach(gateway);
  }
  const started = gateway;
  return {
    gateway: started,
    sync,
    async close() {
      await sync?.close();
      await started.close();
    },
  };
}
