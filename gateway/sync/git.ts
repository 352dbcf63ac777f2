// Runs git through simple-git with the sync source's credentials in the child's environment
// (never on its command line), no prompts, a time limit, and secrets scrubbed from every error.
import { simpleGit } from "simple-git";
import { resolveSecret } from "../catalog/secrets.ts";
import type { SyncAuth } from "./config.ts";

/** A git command failed; the message is git's own output with credentials removed. */
export class GitCommandError extends Error {
  override name = "GitCommandError";
}

export interface GitAccess {
  env: Record<string, string>;
  /** values that must never appear in a message */
  secrets: string[];
}

/** The environment git runs in: credentials as config-by-environment, ssh without prompts. */
export function gitAccess(auth: SyncAuth, env: NodeJS.ProcessEnv = process.env): GitAccess {
  const base: Record<string, string> = {
    PATH: env.PATH ?? "/usr/bin:/bin",
    HOME: env.HOME ?? "/",
    LANG: "C",
    LC_ALL: "C",
    GIT_TERMINAL_PROMPT: "0",
  };
  const secrets: string[] = [];
  const ssh = ["ssh", "-o", "BatchMode=yes"];
  if (auth.sshKey) ssh.push("-i", auth.sshKey, "-o", "IdentitiesOnly=yes");
  if (auth.knownHosts)
    ssh.push("-o", `UserKnownHostsFile=${auth.knownHosts}`, "-o", "StrictHostKeyChecking=yes");
  // the config paths only allow plain characters, so joining with spaces needs no quoting
  base.GIT_SSH_COMMAND = ssh.join(" ");
  if (auth.token) {
    const token = resolveSecret(auth.token, env);
    const basic = Buffer.from(`${auth.username}:${token}`).toString("base64");
    secrets.push(token, basic);
    base.GIT_CONFIG_COUNT = "1";
    base.GIT_CONFIG_KEY_0 = "http.extraHeader";
    base.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${basic}`;
  }
  return { env: base, secrets };
}

/** Removes the given secrets and any user:password in URLs from a text. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text.replace(/(\w+:\/\/)[^/@\s]+@/g, "$1[redacted]@");
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join("[redacted]");
  return out;
}

export class GitRunner {
  constructor(
    private readonly access: GitAccess,
    private readonly timeoutMs: number,
  ) {}

  redact(text: string): string {
    return redact(text, this.access.secrets);
  }

  /** `git <args>` in `dir`; resolves with stdout. */
  async run(dir: string, args: string[], extraEnv: Record<string, string> = {}): Promise<string> {
    const env = { ...this.access.env, ...extraEnv };
    const git = simpleGit({
      baseDir: dir,
      // every variable is ours (gitAccess, GIT_INDEX_FILE, GNUPGHOME): none comes from outside
      allowEnvironment: Object.keys(env),
      maxConcurrentProcesses: 1,
      timeout: { block: this.timeoutMs },
      // simple-git only fails a command that wrote to stderr; a silent non-zero exit (an unsigned
      // commit in verify-commit, rev-parse --quiet) must fail too
      errors: (error, result) =>
        error ??
        (result.exitCode === 0
          ? undefined
          : new Error(
              Buffer.concat(result.stdErr).toString("utf8").trim() ||
                `exited with code ${result.exitCode} and no message`,
            )),
      unsafe: {
        // our own credentials travel as GIT_CONFIG_* and GIT_SSH_COMMAND (see gitAccess)
        allowUnsafeConfigEnvCount: true,
        allowUnsafeSshCommand: true,
        // --work-tree for checkouts into our own folders (mirror.ts extract)
        allowUnsafeConfigPaths: true,
      },
    }).env(env);
    try {
      return await git.raw(args);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      throw new GitCommandError(`git ${args[0]}: ${this.redact(message.trim())}`);
    }
  }
}
