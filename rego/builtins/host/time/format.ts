// Go's Time.Format over a layout.
import { MONTH_NAMES, WEEKDAY_NAMES, wallClock } from "./civil.ts";
import { nextChunk, type Chunk, type Element } from "./layout.ts";
import type { Zone } from "./zones.ts";

const pad = (n: number, width: number): string =>
  n < 0 ? `-${String(-n).padStart(width, "0")}` : String(n).padStart(width, "0");

function formatZone(element: Element, iso: boolean, offset: number): string {
  if (iso && offset === 0) return "Z";
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const minutes = Math.floor(abs / 60);
  let out = sign + pad(Math.floor(minutes / 60), 2);
  const colon = element === "ZoneHH:MM" || element === "ZoneHH:MM:SS";
  if (element !== "ZoneHH") out += (colon ? ":" : "") + pad(minutes % 60, 2);
  if (element === "ZoneHHMMSS" || element === "ZoneHH:MM:SS")
    out += (colon ? ":" : "") + pad(abs % 60, 2);
  return out;
}

function formatFraction(chunk: Chunk, nanosecond: number): string {
  const digits = chunk.text.length - 1;
  const all = String(nanosecond).padStart(9, "0").slice(0, digits);
  if (chunk.element === "Frac0") return chunk.text[0] + all;
  const trimmed = all.replace(/0+$/, "");
  return trimmed ? chunk.text[0] + trimmed : "";
}

/** Go's Time.Format for an instant in a zone. */
export function formatTime(instant: bigint, zone: Zone, layout: string): string {
  const offset = zone.offsetAt(instant);
  const t = wallClock(instant, offset);
  let out = "";
  for (let rest = layout; rest !== "";) {
    const chunk = nextChunk(rest);
    out += chunk.prefix;
    if (!chunk.element) break;
    rest = chunk.suffix;
    const hour12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
    switch (chunk.element) {
      case "LongMonth":
        out += MONTH_NAMES[t.month - 1];
        break;
      case "Month":
        out += MONTH_NAMES[t.month - 1]!.slice(0, 3);
        break;
      case "NumMonth":
        out += t.month;
        break;
      case "ZeroMonth":
        out += pad(t.month, 2);
        break;
      case "LongWeekDay":
        out += WEEKDAY_NAMES[t.weekday];
        break;
      case "WeekDay":
        out += WEEKDAY_NAMES[t.weekday]!.slice(0, 3);
        break;
      case "Day":
        out += t.day;
        break;
      case "UnderDay":
        out += String(t.day).padStart(2, " ");
        break;
      case "ZeroDay":
        out += pad(t.day, 2);
        break;
      case "UnderYearDay":
        out += String(t.yearDay).padStart(3, " ");
        break;
      case "ZeroYearDay":
        out += pad(t.yearDay, 3);
        break;
      case "Hour":
        out += pad(t.hour, 2);
        break;
      case "Hour12":
        out += hour12;
        break;
      case "ZeroHour12":
        out += pad(hour12, 2);
        break;
      case "Minute":
        out += t.minute;
        break;
      case "ZeroMinute":
        out += pad(t.minute, 2);
        break;
      case "Second":
        out += t.second;
        break;
      case "ZeroSecond":
        out += pad(t.second, 2);
        break;
      case "LongYear":
        out += pad(t.year, 4);
        break;
      case "Year":
        out += pad(((t.year % 100) + 100) % 100, 2);
        break;
      case "PM":
        out += t.hour >= 12 ? "PM" : "AM";
        break;
      case "pm":
        out += t.hour >= 12 ? "pm" : "am";
        break;
      case "TZ":
        out += zone.abbreviationAt(instant);
        break;
      case "Frac0":
      case "Frac9":
        out += formatFraction(chunk, t.nanosecond);
        break;
      default:
        out += formatZone(chunk.element, chunk.iso ?? false, offset);
    }
  }
  return out;
}
