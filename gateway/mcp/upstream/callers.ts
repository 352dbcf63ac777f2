// Which downstream caller caused an upstream's server->client message. The v1 SDK does not tell a
// client which of its requests a server request or log relates to, so, per server:
//   1. a `_meta.progressToken` equal to one of our in-flight upstream request ids, or a related-task
//      id we saw in a task-creating result, names the caller exactly;
//   2. otherwise the only caller in flight on that connection, or the most recent one when several
//      are (a guess, but the usual case is one interactive call at a time). Callers in flight on
//      one connection share its connection key; on a shared connection they may be anyone, so
//      there the guess is made only when they are all of one session.
import type { CallerRef } from "../contracts.ts";

const RELATED_TASK = "io.modelcontextprotocol/related-task";
const MAX_REMEMBERED_TASKS = 1000;

interface InFlight {
  caller: CallerRef;
  /** the id our SDK client gave the upstream request (also its progressToken when one was sent) */
  upstreamId?: number | string;
}

export class CallerTracker {
  private nextSeq = 0;
  private readonly inFlight = new Map<number, InFlight>();
  private readonly taskCallers = new Map<string, CallerRef>();

  /** Registers a call; returns the function that removes it again. */
  begin(caller: CallerRef, upstreamId: number | string | undefined): () => void {
    const seq = this.nextSeq++;
    this.inFlight.set(seq, { caller, upstreamId });
    return () => this.inFlight.delete(seq);
  }

  /** Remembers the task a call created, so the task's later messages reach the same caller. */
  rememberTask(taskId: string, caller: CallerRef): void {
    if (this.taskCallers.size >= MAX_REMEMBERED_TASKS) {
      const oldest = this.taskCallers.keys().next().value;
      if (oldest !== undefined) this.taskCallers.delete(oldest);
    }
    this.taskCallers.set(taskId, caller);
  }

  /** `acrossSessions`: whether a guess may pick among callers of different sessions. */
  attribute(
    params: Record<string, unknown> | undefined,
    acrossSessions = true,
  ): CallerRef | undefined {
    const meta = params?._meta as Record<string, unknown> | undefined;
    const token = meta?.progressToken;
    if (token !== undefined) {
      for (const entry of this.inFlight.values()) {
        if (entry.upstreamId !== undefined && String(entry.upstreamId) === String(token))
          return entry.caller;
      }
    }
    const taskId = (meta?.[RELATED_TASK] as { taskId?: unknown } | undefined)?.taskId;
    if (typeof taskId === "string") {
      const caller = this.taskCallers.get(taskId);
      if (caller) return caller;
    }
    let latest: CallerRef | undefined;
    let mixed = false;
    for (const entry of this.inFlight.values()) {
      if (latest && latest.sessionId !== entry.caller.sessionId) mixed = true;
      latest = entry.caller; // Map keeps insertion order
    }
    return mixed && !acrossSessions ? undefined : latest;
  }

  get size(): number {
    return this.inFlight.size;
  }
}
