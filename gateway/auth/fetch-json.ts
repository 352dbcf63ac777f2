// Fetches a small JSON document (issuer metadata, JWKS) with a timeout and a size bound; errors
// say which URL failed and how, never echo the body.
export const MAX_METADATA_BYTES = 256 * 1024;
export const FETCH_TIMEOUT_MS = 5000;

export async function fetchJson(url: string, maxBytes = MAX_METADATA_BYTES): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: "application/json" },
      redirect: "error",
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    throw new Error(`${url}: unreachable (${cause ?? (e as Error).name})`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`${url}: HTTP ${response.status}`);
  }
  const text = await readBounded(response, maxBytes, url);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${url}: the response is not JSON`);
  }
}

async function readBounded(response: Response, maxBytes: number, url: string): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error(`${url}: the response exceeds ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
