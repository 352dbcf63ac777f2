// Opens the pull request (GitHub REST API) or merge request (GitLab REST API) for a pushed branch.
// Tokens come from the environment and never appear in messages.
import { CliError } from "../failure.ts";

export type Provider = "github" | "gitlab";

export interface ReviewRequest {
  /** `owner/name` (GitHub) or the project path (GitLab) */
  repository: string;
  head: string;
  base: string;
  title: string;
  body: string;
}

export interface Forge {
  provider: Provider;
  /** API root, no trailing slash */
  api: string;
  token: string;
}

/** GitHub caps a pull request body at 65536 characters; GitLab's cap is larger. */
export const MAX_BODY_CHARS = 60_000;
const REQUEST_TIMEOUT_MS = 30_000;

export function forgeFromEnvironment(
  provider: Provider,
  env: Record<string, string | undefined>,
): Forge {
  const [tokenVar, apiVar, apiDefault] =
    provider === "github"
      ? ["GITHUB_TOKEN", "GITHUB_API_URL", "https://api.github.com"]
      : ["GITLAB_TOKEN", "GITLAB_API_URL", "https://gitlab.com/api/v4"];
  const token = env[tokenVar] ?? "";
  if (token === "") {
    throw new CliError(
      provider === "github"
        ? "GITHUB_TOKEN is not set: export a token allowed to create pull requests (fine-grained: Pull requests read/write and Contents read/write on the repository), or use --dry-run"
        : "GITLAB_TOKEN is not set: export a token with the api scope on the project, or use --dry-run",
    );
  }
  const api = (env[apiVar] || apiDefault).replace(/\/+$/, "");
  return { provider, api, token };
}

/** `owner/name` from a remote URL on github.com/gitlab.com-like hosts (https, ssh, scp-like). */
export function repositoryFromRemoteUrl(url: string): string | undefined {
  const match = /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?[^/:]+[:/](?:\d+\/)?(.+?)(?:\.git)?\/?$/i.exec(
    url.trim(),
  );
  if (!match || url.startsWith("/") || url.startsWith("file:")) return undefined;
  const path = match[1]!;
  return /^[^/\s]+(\/[^/\s]+)+$/.test(path) ? path : undefined;
}

export function clipBody(body: string): string {
  if (body.length <= MAX_BODY_CHARS) return body;
  return `${body.slice(0, MAX_BODY_CHARS)}\n\n_(truncated: the full report is longer than ${MAX_BODY_CHARS} characters; run the command with --dry-run to see it)_\n`;
}

/** Creates the request and returns its web URL. */
export async function openReviewRequest(forge: Forge, request: ReviewRequest): Promise<string> {
  return forge.provider === "github"
    ? openPullRequest(forge, request)
    : openMergeRequest(forge, request);
}

async function openPullRequest(forge: Forge, r: ReviewRequest): Promise<string> {
  const [owner, name] = r.repository.split("/");
  const url = `${forge.api}/repos/${encodeURIComponent(owner!)}/${encodeURIComponent(name!)}/pulls`;
  const response = await send(
    url,
    {
      authorization: `Bearer ${forge.token}`,
      accept: "application/vnd.github+json",
      "x-github-api-version": "2022-11-28",
    },
    { title: r.title, head: r.head, base: r.base, body: clipBody(r.body) },
  );
  if (response.status === 201 && typeof response.json?.html_url === "string")
    return response.json.html_url;
  throw new CliError(apiFailure("GitHub", r, response, githubAdvice(r, response)));
}

async function openMergeRequest(forge: Forge, r: ReviewRequest): Promise<string> {
  const url = `${forge.api}/projects/${encodeURIComponent(r.repository)}/merge_requests`;
  const response = await send(
    url,
    { "private-token": forge.token },
    {
      source_branch: r.head,
      target_branch: r.base,
      title: r.title,
      description: clipBody(r.body),
      remove_source_branch: true,
    },
  );
  if (response.status === 201 && typeof response.json?.web_url === "string")
    return response.json.web_url;
  throw new CliError(apiFailure("GitLab", r, response, gitlabAdvice(r, response)));
}

interface ApiResponse {
  status: number;
  json?: Record<string, unknown>;
  text: string;
}

async function send(
  url: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<ApiResponse> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: {
        ...headers,
        "content-type": "application/json",
        "user-agent": "gatehouse-promote",
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (e) {
    const cause = (e as Error & { cause?: Error }).cause?.message ?? (e as Error).message;
    throw new CliError(
      `cannot reach ${new URL(url).origin}: ${cause}: check the network, or the API URL (GITHUB_API_URL / GITLAB_API_URL)`,
    );
  }
  const text = (await response.text()).slice(0, 64 * 1024);
  let json: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === "object") json = parsed as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

/** GitHub's message plus the `errors[].message` details it gives on 422. */
function apiMessage(response: ApiResponse): string {
  const json = response.json ?? {};
  const parts = [json.message, json.error].filter((m) => typeof m === "string" && m !== "");
  const errors = Array.isArray(json.errors) ? json.errors : [];
  for (const e of errors) {
    if (typeof e === "string") parts.push(e);
    else if (e && typeof e === "object" && typeof (e as { message?: unknown }).message === "string")
      parts.push((e as { message: string }).message);
  }
  if (parts.length === 0) parts.push(response.text.slice(0, 200) || "no details");
  return parts.map(String).join("; ");
}

function apiFailure(service: string, r: ReviewRequest, response: ApiResponse, advice: string) {
  return (
    `${service} refused to open the ${service === "GitHub" ? "pull" : "merge"} request for ${r.head} -> ${r.base} on ${r.repository} ` +
    `(HTTP ${response.status}: ${apiMessage(response)}): ${advice}. ` +
    `The branch ${r.head} is pushed: once fixed, open the request by hand or delete the branch and run promote again`
  );
}

function githubAdvice(r: ReviewRequest, response: ApiResponse): string {
  const message = apiMessage(response).toLowerCase();
  switch (response.status) {
    case 401:
      return "GITHUB_TOKEN is invalid or expired: create a new token and export it";
    case 403:
      return message.includes("rate limit")
        ? "the API rate limit is exhausted: wait for it to reset"
        : `the token may not create pull requests on ${r.repository}: grant it Pull requests read/write`;
    case 404:
      return `no repository ${r.repository} visible to this token: check --repository (or the remote URL) and the token's repository access`;
    case 422:
      return message.includes("already exists")
        ? `a pull request from ${r.head} already exists: review that one`
        : `check that the base branch ${r.base} exists on GitHub and differs from ${r.head}`;
    default:
      return "try again later, or open the pull request by hand";
  }
}

function gitlabAdvice(r: ReviewRequest, response: ApiResponse): string {
  switch (response.status) {
    case 401:
      return "GITLAB_TOKEN is invalid or expired: create a new token with the api scope";
    case 403:
      return `the token may not create merge requests on ${r.repository}`;
    case 404:
      return `no project ${r.repository} visible to this token: check --repository`;
    case 409:
      return `a merge request from ${r.head} already exists: review that one`;
    default:
      return "try again later, or open the merge request by hand";
  }
}
