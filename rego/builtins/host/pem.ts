// PEM blocks as Go's encoding/pem decodes them: the first well-formed block in the text, its type
// and bytes, and the text after its END line (OPA's builtins reject or walk that rest).

export interface PemBlock {
  type: string;
  headers: Record<string, string>;
  bytes: Buffer;
}

const BEGIN = /(?:^|\n)-----BEGIN ([^\r\n]*)-----[ \t]*\r?\n/g;

/** Go's pem.Decode: the first block and the rest after it, or undefined when there is none. */
export function decodePem(text: string): { block: PemBlock; rest: string } | undefined {
  BEGIN.lastIndex = 0;
  for (let m = BEGIN.exec(text); m; m = BEGIN.exec(text)) {
    const type = m[1]!;
    const bodyStart = m.index + m[0].length;
    const endMarker = `-----END ${type}-----`;
    const endAt = text.indexOf(endMarker, bodyStart);
    if (endAt < 0) continue;
    // the END line must start a line
    if (endAt !== bodyStart && text[endAt - 1] !== "\n") continue;
    const block = parseBody(type, text.slice(bodyStart, endAt));
    if (!block) continue;
    let restAt = endAt + endMarker.length;
    const lineEnd = /^[ \t]*(\r?\n|$)/.exec(text.slice(restAt));
    if (!lineEnd) continue;
    restAt += lineEnd[0].length;
    return { block, rest: text.slice(restAt) };
  }
  return undefined;
}

function parseBody(type: string, body: string): PemBlock | undefined {
  const lines = body.split(/\r?\n/);
  const headers: Record<string, string> = {};
  let i = 0;
  for (; i < lines.length; i++) {
    const colon = lines[i]!.indexOf(":");
    if (colon < 0) break;
    headers[lines[i]!.slice(0, colon).trim()] = lines[i]!.slice(colon + 1).trim();
  }
  const b64 = lines.slice(i).join("").replace(/[ \t]/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) return undefined;
  return { type, headers, bytes: Buffer.from(b64, "base64") };
}

/** Every block of a text in order (Go's loop over pem.Decode until it finds no more). */
export function decodeAllPem(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  let rest = text;
  for (let next = decodePem(rest); next; next = decodePem(rest)) {
    blocks.push(next.block);
    rest = next.rest;
  }
  return blocks;
}
