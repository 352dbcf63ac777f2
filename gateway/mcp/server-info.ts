// Who the gateway says it is to clients (initialize, server/discover, 2026-07-28 result `_meta`).
import { readFileSync } from "node:fs";

const version: string = JSON.parse(
  readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
).version;

export const GATEHOUSE_SERVER_INFO = { name: "gatehouse", version } as const;
