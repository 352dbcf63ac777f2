// ipaddr.js, loaded with require(): Node's `import` of a CommonJS file first scans its whole source
// for export names, which took five times as long as loading ipaddr.js (37 KB) itself.
import { createRequire } from "node:module";
import type IpAddr from "ipaddr.js";

export const ipaddr: typeof IpAddr = createRequire(import.meta.url)("ipaddr.js");
export type IPv4 = IpAddr.IPv4;
export type IPv6 = IpAddr.IPv6;
