// Time zones: UTC, the host's local zone, and IANA names, with offsets taken from Intl.
import { builtinError } from "../errors.ts";
import { LruCache } from "../lru.ts";
import { instantFromWall, type WallClock } from "./civil.ts";

export interface Zone {
  /** seconds east of UTC in effect at an instant */
  offsetAt(instant: bigint): number;
  /** short name ("UTC", "EST", or a numeric "+0530" style when the zone has none) */
  abbreviationAt(instant: bigint): string;
}

export const UTC: Zone = { offsetAt: () => 0, abbreviationAt: () => "UTC" };

const msOf = (instant: bigint): number =>
  Number(instant / 1_000_000n) - (instant % 1_000_000n < 0n ? 1 : 0);

function numericAbbreviation(offset: number): string {
  const sign = offset < 0 ? "-" : "+";
  const minutes = Math.floor(Math.abs(offset) / 60);
  const hh = String(Math.floor(minutes / 60)).padStart(2, "0");
  const mm = minutes % 60;
  return mm === 0 ? `${sign}${hh}` : `${sign}${hh}${String(mm).padStart(2, "0")}`;
}

function intlZone(timeZone: string): Zone {
  const fields = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    era: "short",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
  const names = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "short" });
  const offsetAt = (instant: bigint): number => {
    const ms = msOf(instant);
    const parts: Record<string, string> = {};
    for (const p of fields.formatToParts(new Date(ms))) parts[p.type] = p.value;
    const yearOfEra = Number(parts.year);
    const wall = {
      year: parts.era === "BC" ? 1 - yearOfEra : yearOfEra,
      month: Number(parts.month),
      day: Number(parts.day),
      hour: Number(parts.hour),
      minute: Number(parts.minute),
      second: Number(parts.second),
      nanosecond: 0,
    };
    const wallSeconds = Number(instantFromWall(wall, 0) / 1_000_000_000n);
    return wallSeconds - Math.floor(ms / 1000);
  };
  return {
    offsetAt,
    abbreviationAt(instant) {
      const name = names
        .formatToParts(new Date(msOf(instant)))
        .find((p) => p.type === "timeZoneName")?.value;
      return name && /^[A-Z]{3,5}$/.test(name) ? name : numericAbbreviation(offsetAt(instant));
    },
  };
}

const zones = new LruCache<string, Zone>(64);

/** Go's time.LoadLocation as OPA uses it: "" and "UTC" are UTC, "Local" the host's zone. */
export function loadZone(name: string): Zone {
  if (name === "" || name === "UTC") return UTC;
  const ianaName = name === "Local" ? Intl.DateTimeFormat().resolvedOptions().timeZone : name;
  return zones.getOrCreate(ianaName, () => {
    // Intl also takes offsets ("+01:00") and is case-insensitive; Go's zone database is not.
    const canonical = /^[A-Za-z]/.test(ianaName) ? tryIntl(ianaName) : undefined;
    if (!canonical) throw builtinError(`unknown time zone ${name}`);
    return canonical;
  });
}

function tryIntl(name: string): Zone | undefined {
  try {
    const resolved = new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions()
      .timeZone;
    if (resolved !== name && resolved.toLowerCase() === name.toLowerCase()) return undefined;
    return intlZone(name);
  } catch {
    return undefined;
  }
}

/** Go's Date(...) in a zone: guess the offset at the wall time read as UTC, then correct once. */
export function instantInZone(fields: Omit<WallClock, "weekday" | "yearDay">, zone: Zone): bigint {
  const asUtc = instantFromWall(fields, 0);
  const guess = zone.offsetAt(asUtc);
  const first = instantFromWall(fields, guess);
  const corrected = zone.offsetAt(first);
  return corrected === guess ? first : instantFromWall(fields, corrected);
}
