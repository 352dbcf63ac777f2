// The `sync` section of the gateway config (GitOps: docs/sync.md) and the operator token that
// guards GET /-/status. Merged field by field over the defaults (gateway/config.ts).
import { z } from "zod";
import { parseDuration } from "../audit/config.ts";
import { secretReferenceProblem } from "../catalog/secrets.ts";

export interface SyncLimits {
  /** files under the catalog and policy folders at one commit */
  maxFiles: number;
  /** bytes of one file */
  maxFileBytes: number;
  /** bytes of all those files together */
  maxTotalBytes: number;
}

export interface SyncAuth {
  /** https: user name sent with the token (GitHub: x-access-token, GitLab: oauth2) */
  username: string;
  /** https: token as a secret reference (env:NAME, file:/path) */
  token?: string;
  /** ssh: private key file */
  sshKey?: string;
  /** ssh: known_hosts file (the host key must be in it) */
  knownHosts?: string;
}

export interface SyncVerify {
  /** SSH-signed commits: git's allowed signers file (gpg.ssh.allowedSignersFile) */
  allowedSigners?: string;
  /** GPG-signed commits: a GNUPGHOME whose keyring holds exactly the allowed keys */
  gpgHome?: string;
}

export interface SyncConfig {
  /** false: no syncing at all (the folders are served as they are on disk) */
  enabled: boolean;
  /** remote URL (https://, ssh://, git@host:path) or local repository path; null = follow the
   * repository that holds catalogDir/policyDirs, when they are in one */
  repo: string | null;
  /** branch to follow; null = the remote's default branch (or, when following the local
   * repository, its checked-out branch) */
  branch: string | null;
  /** tag to follow instead of a branch */
  tag: string | null;
  /** folder inside the repository that holds catalogDir and policyDirs */
  subdir: string;
  pollMs: number;
  /** per git command */
  gitTimeoutMs: number;
  /** compiling a revision's policies and running its Rego tests */
  compileTimeoutMs: number;
  limits: SyncLimits;
  auth: SyncAuth;
  verify: SyncVerify;
  /** secret reference for POST /-/sync (GitHub HMAC secret or GitLab token); null = no webhook */
  webhookSecret: string | null;
  /** largest webhook body accepted */
  webhookMaxBytes: number;
}

export const DEFAULT_SYNC_CONFIG: SyncConfig = {
  enabled: true,
  repo: null,
  branch: null,
  tag: null,
  subdir: "",
  pollMs: 30_000,
  gitTimeoutMs: 60_000,
  compileTimeoutMs: 120_000,
  limits: { maxFiles: 2000, maxFileBytes: 1024 * 1024, maxTotalBytes: 20 * 1024 * 1024 },
  auth: { username: "x-access-token" },
  verify: {},
  webhookSecret: null,
  webhookMaxBytes: 1024 * 1024,
};

const positiveInt = z.int().positive();
const secretRef = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    const problem = secretReferenceProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
/** a reference to a secret, never the secret itself (a config file is not a secret store) */
const secretOnlyRef = secretRef.refine(
  (value) => /^(env|file):/.test(value),
  "must be a reference like env:NAME or file:/path, not the secret itself",
);
/** kept as text in a layer (layers are validated again when merged), milliseconds once resolved */
const duration = z
  .string()
  .refine((s) => (parseDuration(s) ?? 0) > 0, "must be a duration like 30s, 5m or 1h");
const refName = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9._/-]+$/, "may hold letters, digits and . _ / - only")
  .refine((s) => !s.startsWith("-") && !s.includes(".."), "must not start with - or hold ..");
const relativePath = z
  .string()
  .refine(
    (s) => !s.startsWith("/") && !s.split("/").includes(".."),
    "must be a path inside the repository",
  );
/** paths that end up in GIT_SSH_COMMAND, a shell string: plain characters only */
const plainPath = z
  .string()
  .regex(/^\/[A-Za-z0-9._/-]+$/, "must be an absolute path of letters, digits and . _ / - only");

export const syncLayer = z
  .strictObject({
    enabled: z.boolean(),
    repo: z.string().min(1).nullable(),
    branch: refName.nullable(),
    tag: refName.nullable(),
    subdir: relativePath,
    poll: duration,
    gitTimeout: duration,
    compileTimeout: duration,
    limits: z
      .strictObject({
        maxFiles: positiveInt,
        maxFileBytes: positiveInt,
        maxTotalBytes: positiveInt,
      })
      .partial(),
    auth: z
      .strictObject({
        username: z.string().min(1),
        token: secretOnlyRef,
        sshKey: plainPath,
        knownHosts: plainPath,
      })
      .partial(),
    verify: z
      .strictObject({ allowedSigners: z.string().min(1), gpgHome: z.string().min(1) })
      .partial(),
    webhookSecret: secretOnlyRef.nullable(),
    webhookMaxBytes: positiveInt,
  })
  .partial()
  .refine((layer) => !(layer.branch && layer.tag), "set branch or tag, not both");

export type SyncLayer = z.infer<typeof syncLayer>;

/** a bearer token for operator endpoints (GET /-/status), as a secret reference */
export const operatorTokenField = secretOnlyRef;

export function resolveSync(layers: SyncLayer[]): SyncConfig {
  const merged: SyncConfig = {
    ...DEFAULT_SYNC_CONFIG,
    limits: { ...DEFAULT_SYNC_CONFIG.limits },
    auth: { ...DEFAULT_SYNC_CONFIG.auth },
    verify: {},
  };
  for (const layer of layers) {
    const { poll, gitTimeout, compileTimeout, limits, auth, verify, ...plain } = layer;
    Object.assign(merged, defined(plain));
    // a later layer naming a branch overrides an earlier tag, and the other way round
    if (plain.branch) merged.tag = null;
    if (plain.tag) merged.branch = null;
    if (poll !== undefined) merged.pollMs = parseDuration(poll)!;
    if (gitTimeout !== undefined) merged.gitTimeoutMs = parseDuration(gitTimeout)!;
    if (compileTimeout !== undefined) merged.compileTimeoutMs = parseDuration(compileTimeout)!;
    Object.assign(merged.limits, defined(limits ?? {}));
    Object.assign(merged.auth, defined(auth ?? {}));
    Object.assign(merged.verify, defined(verify ?? {}));
  }
  return merged;
}

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
