// Wraps the fetch of an upstream HTTP transport so every request carries the upstream credentials
// (and nothing of the caller's). A 401 drops the token it carried and the request is sent once
// more with a fresh one when it can be replayed; otherwise the next request gets the fresh one.
import type { Fetch } from "./bounded-fetch.ts";
import type { CredentialProvider } from "./provider.ts";

export function fetchWithCredentials(base: Fetch, provider: CredentialProvider): Fetch {
  return async (input, init = {}) => {
    const send = async () => {
      const sent = await provider.headers();
      const headers = new Headers(init.headers);
      for (const [name, value] of Object.entries(sent)) headers.set(name, value);
      return { sent, response: await base(input, { ...init, headers }) };
    };
    const first = await send();
    if (first.response.status !== 401) return first.response;
    const retry = provider.refused(first.sent) && replayable(init.body);
    if (!retry) return first.response;
    await first.response.body?.cancel().catch(() => undefined);
    const second = await send();
    if (second.response.status === 401) provider.refused(second.sent);
    return second.response;
  };
}

/** Bodies that can be sent twice (the SDK sends JSON strings; GETs have none). */
function replayable(body: RequestInit["body"]): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === "string" ||
    body instanceof Uint8Array ||
    body instanceof ArrayBuffer
  );
}
