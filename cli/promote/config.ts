// Which environments `gatehouse promote` knows and how they are laid out: `gatehouse-promote.yaml`
// at the repository's top level (optional), overridden by command-line flags.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { describeIssue, issueMessage } from "../../gateway/catalog/issues.ts";
import { CliError } from "../failure.ts";

export const PROMOTE_CONFIG_FILE = "gatehouse-promote.yaml";
/** what a branch environment promotes when its `paths` are not given */
export const DEFAULT_BRANCH_PATHS = ["policies", "catalog"];

const folderPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), {
    message: "must be a folder inside the repository (relative, no ..)",
  });

/** a branch or remote name: no leading dash (git would read an option), no whitespace */
const gitName = z.string().regex(/^[^-\s]\S*$/, "must be a git name: no leading -, no spaces");

const environment = z.union([
  z.strictObject({ folder: folderPath }),
  z.strictObject({ branch: gitName, paths: z.array(folderPath).min(1).optional() }),
]);

const promoteConfig = z
  .strictObject({
    environments: z.record(z.string().regex(/^[A-Za-z0-9._-]+$/), environment),
    /** the policy folder inside an environment, tested and diffed before promoting */
    policies: folderPath,
    remote: gitName,
    /** the branch pull requests target for folder environments */
    base: gitName,
    provider: z.enum(["github", "gitlab"]),
    /** `owner/name` on GitHub, the project path on GitLab; default: read from the remote's URL */
    repository: z.string().regex(/^[^/\s]+(\/[^/\s]+)+$/),
  })
  .partial();

export type PromoteConfigFile = z.infer<typeof promoteConfig>;

export type Environment =
  | { name: string; kind: "folder"; folder: string }
  | { name: string; kind: "branch"; branch: string; paths: string[] };

export interface PromoteSettings {
  environments: Record<string, z.infer<typeof environment>>;
  policies: string;
  remote: string;
  base: string;
  provider: "github" | "gitlab";
  repository?: string;
}

/** The file's settings under the flags' (flags win); defaults for what neither gives. */
export function loadPromoteSettings(
  root: string,
  file: string | undefined,
  flags: Partial<Omit<PromoteSettings, "environments">>,
): PromoteSettings {
  const path = file ?? join(root, PROMOTE_CONFIG_FILE);
  const fromFile = file !== undefined || existsSync(path) ? readConfig(path) : {};
  const defined = validate(
    "command line",
    Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)),
  );
  return {
    environments: fromFile.environments ?? {},
    policies: "policies",
    remote: "origin",
    base: "main",
    provider: "github",
    ...withoutEnvironments(fromFile),
    ...defined,
  };
}

function withoutEnvironments(config: PromoteConfigFile): Partial<PromoteSettings> {
  const { environments: _, ...rest } = config;
  return rest;
}

function readConfig(path: string): PromoteConfigFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new CliError(`${path}: cannot read the promote settings: ${(e as Error).message}`);
  }
  let value: unknown;
  try {
    value = parseYaml(text) ?? {};
  } catch (e) {
    throw new CliError(`${path}: invalid YAML: ${(e as Error).message}`);
  }
  return validate(path, value);
}

function validate(source: string, value: unknown): PromoteConfigFile {
  const parsed = promoteConfig.safeParse(value, { error: issueMessage });
  if (parsed.success) return parsed.data;
  throw new CliError(parsed.error.issues.flatMap((i) => describeIssue(source, i)).join("\n"));
}

/**
 * The environment `name` as configured; unconfigured, the folder `environments/<name>` when it
 * exists at `folderExists`, else the branch `<name>` when `branchExists`.
 */
export async function resolveEnvironment(
  name: string,
  settings: PromoteSettings,
  probe: {
    folderExists(folder: string): Promise<boolean>;
    branchExists(b: string): Promise<boolean>;
  },
): Promise<Environment> {
  const configured = settings.environments[name];
  if (configured && "folder" in configured)
    return { name, kind: "folder", folder: configured.folder.replace(/\/+$/, "") };
  if (configured)
    return {
      name,
      kind: "branch",
      branch: configured.branch,
      paths: configured.paths ?? DEFAULT_BRANCH_PATHS,
    };
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    throw new CliError(`environment ${JSON.stringify(name)}: not a valid name`);
  const folder = `environments/${name}`;
  if (await probe.folderExists(folder)) return { name, kind: "folder", folder };
  if (await probe.branchExists(name))
    return { name, kind: "branch", branch: name, paths: DEFAULT_BRANCH_PATHS };
  throw new CliError(
    `environment ${name}: not configured in ${PROMOTE_CONFIG_FILE}, no folder ${folder}/ at HEAD and no branch ${name}: create one, or configure it (docs/policy-cli.md#promote)`,
  );
}
