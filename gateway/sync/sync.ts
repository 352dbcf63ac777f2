// Follows a branch or tag of a Git repository: fetches on an interval (and on webhook), runs every
// new head through the activation pipeline, and swaps the gateway's catalog + policy only when it
// passes. The branch head is the truth: a force-push to an older commit activates that commit.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { GatewayConfig } from "../config.ts";
import { EgressPolicy, egressSettings } from "../egress/index.ts";
import type { PolicyLimitsConfig } from "../policy/config.ts";
import type { ActiveState } from "../gateway.ts";
import type { Logger } from "../log.ts";
import type { UpstreamPool } from "../mcp/contracts.ts";
import { messageOf } from "../policy/engine.ts";
import { Coalescer } from "./coalesce.ts";
import type { SyncConfig } from "./config.ts";
import type { SyncEvent, SyncEventListener, SyncTrigger } from "./events.ts";
import { gitAccess, GitRunner } from "./git.ts";
import { FetchError, GitMirror, type SourceRef } from "./mirror.ts";
import {
  prepareRevision,
  RevisionRefused,
  type PreparedRevision,
  type RepoLayout,
  type Stage,
} from "./pipeline.ts";
import { watchRef, type RefWatch } from "./ref-watch.ts";
import { resolveSource, type SyncSource } from "./source.ts";

/** What the sync swaps: implemented by Gateway. */
export interface SyncTarget {
  current(): ActiveState;
  replace(state: ActiveState): void;
  readonly pool: UpstreamPool;
}

export interface SyncStatus {
  source: {
    repo: string;
    ref: string;
    catalog: string;
    policies: string[];
    /** "remote": a configured repository; "local": the repository holding the served folders */
    mode: "remote" | "local";
    pollSeconds: number;
    webhook: boolean;
    /** local mode: a new commit is seen at once (the repository's refs are watched) */
    watching: boolean;
  };
  active: {
    revision: string;
    bundleDigest: string;
    since: string;
    /** "git": a commit that passed the pipeline; "folders": the folders as found at start */
    from: "git" | "folders";
  } | null;
  lastFetch: { at: string; ok: boolean; revision?: string; error?: string } | null;
  lastAttempt: {
    revision: string;
    at: string;
    outcome: "activated" | "refused";
    stage?: Stage;
    problems?: string[];
  } | null;
  syncing: boolean;
}

/** No revision could be activated at start (the message says why for each one tried). */
export class SyncStartError extends Error {
  override name = "SyncStartError";
}

type UpstreamChanges = { added: string[]; removed: string[]; changed: string[] };
const NO_CHANGES: UpstreamChanges = { added: [], removed: [], changed: [] };

const LAST_GOOD_FILE = "last-good";
const MAX_PROBLEMS_KEPT = 50;

export class GitSync {
  private readonly mirror: GitMirror;
  private readonly listeners = new Set<SyncEventListener>();
  private readonly coalescer: Coalescer;
  private target: SyncTarget | undefined;
  private timer: NodeJS.Timeout | undefined;
  private refWatch: RefWatch | undefined;
  private closed = false;
  /** the commit last run through the pipeline (or the baseline the folders were served at) */
  private lastSeen: string | undefined;
  private pendingTrigger: SyncTrigger = "poll";
  private active: SyncStatus["active"] = null;
  private lastFetch: SyncStatus["lastFetch"] = null;
  private lastAttempt: SyncStatus["lastAttempt"] = null;
  private syncing = false;

  private constructor(
    readonly source: SyncSource,
    private readonly settings: SyncConfig,
    private readonly cacheDir: string,
    git: GitRunner,
    private readonly log: Logger,
    /** the gateway's egress rules: a revision whose catalog names URLs they refuse is refused */
    private readonly egress: EgressPolicy,
    /** budget and memory cap of each revision's policy (config `policy`) */
    private readonly policyLimits: PolicyLimitsConfig,
  ) {
    this.mirror = new GitMirror(cacheDir, source.url, source.ref, git);
    this.lastSeen = source.baseline;
    this.coalescer = new Coalescer(() => this.runOnce(this.takeTrigger()));
  }

  /** The sync the config asks for, or undefined (sync off, or local folders outside a repository). */
  static async fromConfig(
    config: GatewayConfig,
    options: { log: Logger; env?: NodeJS.ProcessEnv },
  ): Promise<GitSync | undefined> {
    const settings = config.sync;
    if (!settings.enabled) return undefined;
    const git = new GitRunner(gitAccess(settings.auth, options.env), settings.gitTimeoutMs);
    const source = await resolveSource(config, git);
    if (typeof source === "string") {
      options.log.log("info", `sync: ${source}; serving the folders as they are`);
      return undefined;
    }
    const key = createHash("sha256")
      .update(`${source.url}\0${describeRef(source.ref)}`)
      .digest("hex")
      .slice(0, 16);
    const cacheDir = resolve(config.dataDir, "sync", key);
    const egress = new EgressPolicy(egressSettings(config));
    return new GitSync(source, settings, cacheDir, git, options.log, egress, config.policy);
  }

  /**
   * The state to start with: for a configured repository, its head (or, when that fails or cannot
   * be fetched, the last revision that was active) after the pipeline; undefined when following the
   * served folders' own repository (they are served as found, later commits are followed).
   */
  async initialState(): Promise<ActiveState | undefined> {
    if (this.source.mode === "local") return undefined;
    const reasons: string[] = [];
    const candidates: string[] = [];
    const started = performance.now();
    try {
      const head = await this.mirror.fetch();
      this.fetched("start", started, head);
      candidates.push(head);
    } catch (e) {
      this.fetchFailed("start", started, e);
      reasons.push(`fetch: ${messageOf(e)}`);
      const cached = await this.mirror.cachedHead();
      if (cached) candidates.push(cached);
    }
    const lastGood = this.readLastGood();
    if (lastGood && !candidates.includes(lastGood)) candidates.push(lastGood);
    for (const commit of candidates) {
      const attemptStarted = performance.now();
      const prepared = await this.attempt(commit);
      if (prepared) {
        this.recordActive(commit, prepared, attemptStarted, NO_CHANGES);
        return prepared.state;
      }
      reasons.push(
        `${commit}: ${this.lastAttempt?.stage}: ${this.lastAttempt?.problems?.join("; ")}`,
      );
    }
    throw new SyncStartError(
      `no revision of ${this.describeSource()} could be activated:\n${reasons.join("\n")}`,
    );
  }

  /** Starts following: polls every `poll`, and at once when following the local repository. */
  attach(target: SyncTarget): void {
    this.target = target;
    if (!this.active) {
      const { policy } = target.current();
      this.active = {
        revision: policy.revision,
        bundleDigest: policy.bundleDigest,
        since: new Date().toISOString(),
        from: "folders",
      };
    }
    if (this.source.mode === "local") {
      this.watchLocalRef();
      void this.trigger("start");
    } else this.schedule();
  }

  /** Fetches now (coalesced: while a fetch runs, any number of triggers make one more). */
  trigger(trigger: SyncTrigger): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (trigger !== "poll") this.pendingTrigger = trigger;
    return this.coalescer.request();
  }

  /** The followed ref as a push payload names it (refs/heads/main); undefined while unknown. */
  followedRef(): string | undefined {
    return this.mirror.fullRefName();
  }

  /** Subscribes to sync events (telemetry); returns the unsubscribe function. */
  onSyncEvent(listener: SyncEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): SyncStatus {
    return {
      source: {
        repo: this.describeSource(),
        ref: this.mirror.describeRef(),
        catalog: this.source.layout.catalogDir,
        policies: this.source.layout.policyDirs,
        mode: this.source.mode,
        pollSeconds: this.settings.pollMs / 1000,
        webhook: this.settings.webhookSecret !== null,
        watching: (this.refWatch?.watching ?? 0) > 0,
      },
      active: this.active,
      lastFetch: this.lastFetch,
      lastAttempt: this.lastAttempt,
      syncing: this.syncing,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.refWatch?.close();
    await this.coalescer.settled();
  }

  /** A commit in the served folders' repository is fetched at once; the poll is the fallback. */
  private watchLocalRef(): void {
    const ref = this.mirror.fullRefName();
    if (!this.source.refsDir || !ref) return;
    this.refWatch = watchRef({
      gitDir: this.source.refsDir,
      ref,
      onChange: () => void this.trigger("watch"),
      onUnwatchable: (path, e) =>
        this.log.log("info", `sync: cannot watch ${path}; new commits are seen by the poll`, {
          error: messageOf(e),
        }),
    });
  }

  private takeTrigger(): SyncTrigger {
    const trigger = this.pendingTrigger;
    this.pendingTrigger = "poll";
    return trigger;
  }

  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.trigger("poll"), this.settings.pollMs);
    this.timer.unref();
  }

  private async runOnce(trigger: SyncTrigger): Promise<void> {
    if (this.closed) return;
    this.syncing = true;
    const started = performance.now();
    try {
      let head: string;
      try {
        head = await this.mirror.fetch();
      } catch (e) {
        this.fetchFailed(trigger, started, e);
        return;
      }
      const changed = head !== this.lastSeen;
      this.fetched(trigger, started, head, changed);
      if (!changed || head === this.active?.revision) {
        this.lastSeen = head;
        return;
      }
      const prepared = await this.attempt(head);
      if (prepared) this.activate(head, prepared, started);
    } catch (e) {
      // a bug, not a bad commit: keep serving, say so
      this.log.log("error", "sync: unexpected failure", { error: messageOf(e) });
    } finally {
      this.syncing = false;
      this.schedule();
    }
  }

  /** Runs one commit through the pipeline; what to activate, or undefined (refusal reported). */
  private async attempt(commit: string): Promise<PreparedRevision | undefined> {
    const started = performance.now();
    this.lastSeen = commit;
    try {
      return await prepareRevision(this.mirror, commit, this.source.layout, {
        limits: this.settings.limits,
        verify: this.settings.verify,
        checkoutsDir: join(this.cacheDir, "checkouts"),
        compileTimeoutMs: this.settings.compileTimeoutMs,
        egress: this.egress,
        policyLimits: this.policyLimits,
      });
    } catch (e) {
      if (!(e instanceof RevisionRefused)) throw e;
      if (e.cacheFault) {
        this.mirror.markSuspect();
        this.lastSeen = undefined; // try this commit again after the re-clone
      }
      const problems = e.problems.slice(0, MAX_PROBLEMS_KEPT);
      const at = new Date().toISOString();
      this.lastAttempt = { revision: commit, at, outcome: "refused", stage: e.stage, problems };
      this.log.log(
        "warn",
        `sync: revision ${commit} refused at ${e.stage}; ${this.keptMessage()}`,
        {
          revision: commit,
          stage: e.stage,
          problems,
        },
      );
      const durationMs = elapsed(started);
      this.emit({ type: "refused", at, revision: commit, stage: e.stage, problems, durationMs });
      return undefined;
    }
  }

  /** The swap: upstreams reconciled and catalog + policy replaced in the same tick. */
  private activate(commit: string, prepared: PreparedRevision, started: number): void {
    const target = this.target!;
    const { state } = prepared;
    const changes = target.pool.reconcile?.(state.catalog);
    target.replace(state);
    if (!changes && state.catalog.servers.size > 0)
      this.log.log(
        "warn",
        "sync: the upstream pool cannot apply catalog changes; restart to apply them",
      );
    changes?.drained.catch((e: unknown) =>
      this.log.log("warn", "sync: closing a removed upstream failed", { error: messageOf(e) }),
    );
    this.recordActive(commit, prepared, started, {
      added: changes?.added ?? [],
      removed: changes?.removed ?? [],
      changed: changes?.changed ?? [],
    });
  }

  private recordActive(
    commit: string,
    prepared: PreparedRevision,
    started: number,
    upstreams: UpstreamChanges,
  ): void {
    const { state } = prepared;
    const previousRevision = this.active?.revision ?? "none";
    const at = new Date().toISOString();
    this.active = {
      revision: commit,
      bundleDigest: state.policy.bundleDigest,
      since: at,
      from: "git",
    };
    this.lastAttempt = { revision: commit, at, outcome: "activated" };
    this.keepOnlyCheckout(prepared.dir);
    try {
      writeFileSync(join(this.cacheDir, LAST_GOOD_FILE), `${commit}\n`);
    } catch (e) {
      this.log.log("warn", "sync: cannot record the active revision", { error: messageOf(e) });
    }
    this.log.log("info", `sync: revision ${commit} is active`, {
      revision: commit,
      previousRevision,
      bundleDigest: state.policy.bundleDigest,
      upstreams,
    });
    this.emit({
      type: "activated",
      at,
      revision: commit,
      previousRevision,
      bundleDigest: state.policy.bundleDigest,
      durationMs: elapsed(started),
      stages: prepared.timings,
      upstreams,
    });
  }

  /** Checkouts of other commits go; the active one stays (its catalog folder is named in errors). */
  private keepOnlyCheckout(keep: string): void {
    const dir = join(this.cacheDir, "checkouts");
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      if (path !== keep) rmSync(path, { recursive: true, force: true });
    }
  }

  private fetched(trigger: SyncTrigger, started: number, revision: string, changed = true): void {
    const at = new Date().toISOString();
    this.lastFetch = { at, ok: true, revision };
    this.emit({ type: "fetched", at, trigger, durationMs: elapsed(started), revision, changed });
  }

  private fetchFailed(trigger: SyncTrigger, started: number, e: unknown): void {
    const at = new Date().toISOString();
    const error = messageOf(e);
    this.lastFetch = { at, ok: false, error };
    const known = e instanceof FetchError;
    this.log.log(
      known ? "warn" : "error",
      `sync: fetching ${this.describeSource()} failed; ${this.keptMessage()}`,
      {
        error,
      },
    );
    this.emit({ type: "fetch_failed", at, trigger, durationMs: elapsed(started), error });
  }

  private keptMessage(): string {
    return this.active ? `revision ${this.active.revision} stays active` : "nothing is active yet";
  }

  private readLastGood(): string | undefined {
    try {
      const text = readFileSync(join(this.cacheDir, LAST_GOOD_FILE), "utf8").trim();
      return /^[0-9a-f]{40,64}$/.test(text) ? text : undefined;
    } catch {
      return undefined;
    }
  }

  private describeSource(): string {
    return this.source.displayUrl;
  }

  private emit(event: SyncEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (e) {
        this.log.log("warn", "sync: an event listener failed", { error: messageOf(e) });
      }
    }
  }
}

export function describeRef(ref: SourceRef): string {
  return ref.kind === "default" ? "the default branch" : `${ref.kind} ${ref.name}`;
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

export type { RepoLayout };
