// Go's reference-time layouts ("2006-01-02T15:04:05Z07:00"): the named layouts and the
// tokenizer that splits a layout into literal text and elements (Go's nextStdChunk).

export const RFC3339 = "2006-01-02T15:04:05Z07:00";
export const RFC3339_NANO = "2006-01-02T15:04:05.999999999Z07:00";

/** Layout names OPA accepts in place of a layout. */
export const NAMED_LAYOUTS: Record<string, string> = {
  ANSIC: "Mon Jan _2 15:04:05 2006",
  UnixDate: "Mon Jan _2 15:04:05 MST 2006",
  RubyDate: "Mon Jan 02 15:04:05 -0700 2006",
  RFC822: "02 Jan 06 15:04 MST",
  RFC822Z: "02 Jan 06 15:04 -0700",
  RFC850: "Monday, 02-Jan-06 15:04:05 MST",
  RFC1123: "Mon, 02 Jan 2006 15:04:05 MST",
  RFC1123Z: "Mon, 02 Jan 2006 15:04:05 -0700",
  RFC3339,
  RFC3339Nano: RFC3339_NANO,
};

export type Element =
  | "LongMonth"
  | "Month"
  | "NumMonth"
  | "ZeroMonth"
  | "LongWeekDay"
  | "WeekDay"
  | "Day"
  | "UnderDay"
  | "ZeroDay"
  | "UnderYearDay"
  | "ZeroYearDay"
  | "Hour"
  | "Hour12"
  | "ZeroHour12"
  | "Minute"
  | "ZeroMinute"
  | "Second"
  | "ZeroSecond"
  | "LongYear"
  | "Year"
  | "PM"
  | "pm"
  | "TZ"
  | "Frac0"
  | "Frac9"
  // numeric zones: Z variants print "Z" for UTC; the suffix tells the shape
  | "ZoneHHMM"
  | "ZoneHHMMSS"
  | "ZoneHH"
  | "ZoneHH:MM"
  | "ZoneHH:MM:SS";

export interface Chunk {
  prefix: string;
  element?: Element;
  /** the element's text in the layout */
  text: string;
  /** for numeric zones: whether it is a "Z" variant */
  iso?: boolean;
  suffix: string;
}

const startsWithLower = (s: string): boolean => s.length > 0 && s[0]! >= "a" && s[0]! <= "z";
export const isDigit = (s: string, i: number): boolean =>
  i < s.length && s[i]! >= "0" && s[i]! <= "9";

const ZONE_SHAPES: [string, Element][] = [
  ["070000", "ZoneHHMMSS"],
  ["07:00:00", "ZoneHH:MM:SS"],
  ["0700", "ZoneHHMM"],
  ["07:00", "ZoneHH:MM"],
  ["07", "ZoneHH"],
];

/** Go's nextStdChunk: the literal prefix, the first layout element, and the rest. */
export function nextChunk(layout: string): Chunk {
  for (let i = 0; i < layout.length; i++) {
    const rest = layout.slice(i);
    const found = (element: Element, length: number, extra: Partial<Chunk> = {}): Chunk => ({
      prefix: layout.slice(0, i),
      element,
      text: layout.slice(i, i + length),
      suffix: layout.slice(i + length),
      ...extra,
    });
    switch (layout[i]) {
      case "J":
        if (rest.startsWith("January")) return found("LongMonth", 7);
        if (rest.startsWith("Jan") && !startsWithLower(rest.slice(3))) return found("Month", 3);
        break;
      case "M":
        if (rest.startsWith("Monday")) return found("LongWeekDay", 6);
        if (rest.startsWith("Mon") && !startsWithLower(rest.slice(3))) return found("WeekDay", 3);
        if (rest.startsWith("MST")) return found("TZ", 3);
        break;
      case "0": {
        const zeroes: Record<string, Element> = {
          "1": "ZeroMonth",
          "2": "ZeroDay",
          "3": "ZeroHour12",
          "4": "ZeroMinute",
          "5": "ZeroSecond",
          "6": "Year",
        };
        const e = zeroes[rest[1] ?? ""];
        if (e) return found(e, 2);
        if (rest.startsWith("002")) return found("ZeroYearDay", 3);
        break;
      }
      case "1":
        return rest[1] === "5" ? found("Hour", 2) : found("NumMonth", 1);
      case "2":
        return rest.startsWith("2006") ? found("LongYear", 4) : found("Day", 1);
      case "_":
        if (rest[1] === "2") {
          if (rest.startsWith("_2006")) {
            return {
              prefix: layout.slice(0, i + 1),
              element: "LongYear",
              text: "2006",
              suffix: layout.slice(i + 5),
            };
          }
          return found("UnderDay", 2);
        }
        if (rest.startsWith("__2")) return found("UnderYearDay", 3);
        break;
      case "3":
        return found("Hour12", 1);
      case "4":
        return found("Minute", 1);
      case "5":
        return found("Second", 1);
      case "P":
        if (rest[1] === "M") return found("PM", 2);
        break;
      case "p":
        if (rest[1] === "m") return found("pm", 2);
        break;
      case "-":
      case "Z":
        for (const [shape, element] of ZONE_SHAPES) {
          if (rest.startsWith(shape, 1))
            return found(element, shape.length + 1, { iso: layout[i] === "Z" });
        }
        break;
      case ".":
      case ",": {
        const digit = rest[1];
        if (digit === "0" || digit === "9") {
          let j = 1;
          while (rest[j] === digit) j++;
          if (!isDigit(rest, j)) return found(digit === "0" ? "Frac0" : "Frac9", j);
        }
        break;
      }
    }
  }
  return { prefix: layout, text: "", suffix: "" };
}
