// Proleptic Gregorian calendar arithmetic on nanosecond instants (BigInt keeps full precision).

export const NS_PER_SECOND = 1_000_000_000n;
const SECONDS_PER_DAY = 86_400n;
export const MIN_INT64 = -(1n << 63n);
export const MAX_INT64 = (1n << 63n) - 1n;

export const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
export const WEEKDAY_NAMES = [
  "Sunday",
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
];

const floorDiv = (a: bigint, b: bigint): bigint => (a >= 0n ? a / b : -((-a + b - 1n) / b));

/** Days since 1970-01-01 of a date; month 1..12, day may be outside the month (it carries). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5);
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468 + (day - 1);
}

export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export const isLeap = (year: number): boolean =>
  year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

export function daysIn(month: number, year: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanosecond: number;
  /** 0 = Sunday */
  weekday: number;
  /** 1..366 */
  yearDay: number;
}

/** The calendar fields of an instant seen at a UTC offset (seconds east). */
export function wallClock(instant: bigint, offsetSeconds: number): WallClock {
  const local = instant + BigInt(offsetSeconds) * NS_PER_SECOND;
  const seconds = floorDiv(local, NS_PER_SECOND);
  const nanosecond = Number(local - seconds * NS_PER_SECOND);
  const days = floorDiv(seconds, SECONDS_PER_DAY);
  const secondOfDay = Number(seconds - days * SECONDS_PER_DAY);
  const { year, month, day } = civilFromDays(Number(days));
  return {
    year,
    month,
    day,
    hour: Math.floor(secondOfDay / 3600),
    minute: Math.floor(secondOfDay / 60) % 60,
    second: secondOfDay % 60,
    nanosecond,
    weekday: (((Number(days) + 4) % 7) + 7) % 7,
    yearDay: Number(days) - daysFromCivil(year, 1, 1) + 1,
  };
}

/** The instant of a wall-clock time at a UTC offset; out-of-range fields carry like Go's time.Date. */
export function instantFromWall(
  fields: {
    year: number;
    month: number;
    day: number;
    hour: number;
    minute: number;
    second: number;
    nanosecond: number;
  },
  offsetSeconds: number,
): bigint {
  const monthIndex = fields.month - 1;
  const year = fields.year + Math.floor(monthIndex / 12);
  const month = (((monthIndex % 12) + 12) % 12) + 1;
  const days = BigInt(daysFromCivil(year, month, 1)) + BigInt(fields.day - 1);
  const seconds =
    days * SECONDS_PER_DAY +
    BigInt(fields.hour) * 3600n +
    BigInt(fields.minute) * 60n +
    BigInt(fields.second) -
    BigInt(offsetSeconds);
  return seconds * NS_PER_SECOND + BigInt(fields.nanosecond);
}

export const inInt64Range = (ns: bigint): boolean => ns >= MIN_INT64 && ns <= MAX_INT64;
