// POST /-/sync: a push webhook from GitHub (X-Hub-Signature-256, HMAC-SHA256 of the body) or GitLab
// (X-Gitlab-Token). Verified in constant time before anything else happens; a push to the followed
// ref schedules a fetch (coalesced with any other), and the answer does not wait for it.
import type { Context } from "koa";
import type { Logger } from "../log.ts";
import { readBody } from "../mcp/downstream.ts";
import { hmacSignatureValid, secretsEqual } from "./secret-compare.ts";
import type { GitSync } from "./sync.ts";

export interface WebhookOptions {
  sync: GitSync;
  /** the shared secret (resolved from its reference) */
  secret: string;
  maxBytes: number;
  log: Logger;
}

type Verdict =
  | { ok: true; provider: "github" | "gitlab"; push: boolean; ping: boolean }
  | { ok: false; why: string };

export function createWebhookHandler(options: WebhookOptions): (ctx: Context) => Promise<void> {
  return async (ctx) => {
    if (ctx.method !== "POST") {
      ctx.set("Allow", "POST");
      return answer(ctx, 405, { error: "use POST" });
    }
    const read = await readBody(ctx.req, options.maxBytes);
    if (read.tooLarge) {
      ctx.set("Connection", "close");
      return answer(ctx, 413, { error: `the body exceeds ${options.maxBytes} bytes` });
    }
    const verdict = verify(ctx, Buffer.from(read.text, "utf8"), options.secret);
    if (!verdict.ok) {
      options.log.log("warn", "sync webhook refused", { why: verdict.why, ip: ctx.ip });
      return answer(ctx, 401, { error: verdict.why });
    }
    if (verdict.ping) return answer(ctx, 200, { status: "pong" });
    if (!verdict.push) return answer(ctx, 202, { status: "ignored", reason: "not a push event" });
    const ref = pushedRef(read.text, ctx.get("content-type"));
    const followed = options.sync.followedRef();
    if (ref !== undefined && followed !== undefined && ref !== followed)
      return answer(ctx, 202, {
        status: "ignored",
        reason: `push to ${ref}, following ${followed}`,
      });
    void options.sync.trigger("webhook");
    answer(ctx, 202, { status: "fetch scheduled" });
  };
}

function verify(ctx: Context, body: Buffer, secret: string): Verdict {
  const signature = ctx.get("x-hub-signature-256");
  if (signature !== "") {
    if (!hmacSignatureValid(signature, body, secret))
      return { ok: false, why: "bad signature (X-Hub-Signature-256)" };
    const event = ctx.get("x-github-event");
    return { ok: true, provider: "github", push: event === "push", ping: event === "ping" };
  }
  const token = ctx.get("x-gitlab-token");
  if (token !== "") {
    if (!secretsEqual(token, secret)) return { ok: false, why: "bad token (X-Gitlab-Token)" };
    const event = ctx.get("x-gitlab-event");
    return {
      ok: true,
      provider: "gitlab",
      push: event === "Push Hook" || event === "Tag Push Hook",
      ping: false,
    };
  }
  return { ok: false, why: "no X-Hub-Signature-256 or X-Gitlab-Token header" };
}

/** `ref` of a push payload (JSON, or GitHub's form encoding `payload=<json>`), when readable. */
function pushedRef(text: string, contentType: string): string | undefined {
  try {
    const json = /x-www-form-urlencoded/i.test(contentType)
      ? (new URLSearchParams(text).get("payload") ?? "")
      : text;
    const ref = (JSON.parse(json) as { ref?: unknown }).ref;
    return typeof ref === "string" ? ref : undefined;
  } catch {
    return undefined; // a verified body we cannot read: fetch anyway, the head is the truth
  }
}

function answer(ctx: Context, status: number, body: Record<string, unknown>): void {
  ctx.status = status;
  ctx.body = body;
}
