import { isIanaTimeZone } from './regions';

/** The offset of a zone from UTC, in minutes (east positive), at an instant given in ms since the epoch. */
type OffsetAt = (utcMs: number) => number;

/** A source of the current time, injected so that synthesized output is deterministic. */
export type Clock = () => Date;

/** `HH:MM`, 24-hour. */
export const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * Runs `f` with the UTC offset of `zone` at any instant. The offsets come from `Date`'s local time,
 * with `TZ` set to `zone` for the duration of the (synchronous) call and restored after it: the
 * zone rules are the runtime's own ICU time zone data, the same that `Intl.DateTimeFormat` reads,
 * but the first `Intl` object of a process also loads ICU's locale services, which cost 15-35 ms
 * of every synthesis on the benchmark machine, where this costs well under one. Where setting `TZ`
 * does not reach the runtime (a sandbox that copies `process.env`, as jest does), a probe zone
 * with a fixed offset shows it, and the offsets come from `Intl` instead. `zone` must be a zone
 * the runtime knows (with an unknown name, Date falls back to UTC), so it is checked first; a
 * test compares both ways for every zone of the region table, at their transitions too.
 */
function inZone<T>(zone: string, f: (offsetAt: OffsetAt) => T): T {
  if (!isIanaTimeZone(zone))
    throw new RangeError(`not a time zone this runtime knows: ${JSON.stringify(zone)}`);
  const env = process.env;
  const had = Object.hasOwn(env, 'TZ');
  const before = env.TZ;
  try {
    env.TZ = PROBE_ZONE;
    if (new Date(0).getTimezoneOffset() === -PROBE_OFFSET_MINUTES) {
      env.TZ = zone;
      return f(dateOffset);
    }
  } finally {
    if (had) env.TZ = before;
    else delete env.TZ;
  }
  return f(intlOffset(zone));
}

/** A zone with a fixed offset and no daylight saving: `Etc/GMT-14` is UTC+14 (POSIX signs). */
const PROBE_ZONE = 'Etc/GMT-14';
const PROBE_OFFSET_MINUTES = 14 * 60;

/** The offset of the zone in `TZ`, from `Date`'s local time. */
const dateOffset: OffsetAt = (utcMs) => -new Date(utcMs).getTimezoneOffset();

const formats = new Map<string, Intl.DateTimeFormat>();

/** The offset of `zone` from `Intl`, with one formatter per zone (building one costs far more than using one). */
function intlOffset(zone: string): OffsetAt {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(zone, format);
  }
  const zoned = format;
  return (utcMs) => {
    const parts = zoned.formatToParts(new Date(utcMs));
    const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
    const asUtc = Date.UTC(
      get('year'),
      get('month') - 1,
      get('day'),
      get('hour'),
      get('minute'),
      get('second'),
    );
    return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60000);
  };
}

/**
 * Which source {@link zoneOffsetMinutes} reads in this process: `date` (`TZ` and `Date`) or `intl`
 * (the fallback). For tests.
 */
export function zoneRulesSource(): 'date' | 'intl' {
  return inZone('Etc/UTC', (offsetAt) => (offsetAt === dateOffset ? 'date' : 'intl'));
}

/** The offset of `zone` from UTC at instant `utcMs`, in minutes (east positive). */
export function zoneOffsetMinutes(utcMs: number, zone: string): number {
  return inZone(zone, (offsetAt) => offsetAt(utcMs));
}

/** The calendar date (year, month 1-12, day) of instant `utcMs` in the zone of `offsetAt`. */
function zonedDate(utcMs: number, offsetAt: OffsetAt): { year: number; month: number; day: number } {
  const local = new Date(utcMs + offsetAt(utcMs) * 60000);
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
}

/** The instant at which the wall clock in the zone of `offsetAt` shows the given local date and time. */
function wallTimeToUtc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  offsetAt: OffsetAt,
): number {
  const naive = Date.UTC(year, month - 1, day, hour, minute);
  let utc = naive - offsetAt(naive) * 60000;
  // A second pass settles the offset when a daylight-saving change lies between the two guesses.
  utc = naive - offsetAt(utc) * 60000;
  return utc;
}

function pad(n: number, width = 2): string {
  return String(Math.abs(n)).padStart(width, '0');
}

/** RFC 3339 with the zone's own offset, as Azure Automation shows schedule start times. */
export function formatInZone(utcMs: number, zone: string): string {
  return inZone(zone, (offsetAt) => formatWithOffset(utcMs, offsetAt));
}

function formatWithOffset(utcMs: number, offsetAt: OffsetAt): string {
  const offset = offsetAt(utcMs);
  const local = new Date(utcMs + offset * 60000);
  const sign = offset < 0 ? '-' : '+';
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:00${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`
  );
}

/**
 * The first time `timeOfDay` comes round in `zone` that is at least `minLeadMinutes` after `now`.
 * Azure Automation refuses a start time less than 5 minutes ahead; the margin covers the time
 * between synth and apply.
 */
export function nextDailyStart(now: Date, timeOfDay: string, zone: string, minLeadMinutes: number): string {
  const m = TIME_OF_DAY.exec(timeOfDay);
  if (!m) throw new RangeError(`timeOfDay must be HH:MM, got ${JSON.stringify(timeOfDay)}`);
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  const earliest = now.getTime() + minLeadMinutes * 60000;
  const start = inZone(zone, (offsetAt) => {
    const today = zonedDate(now.getTime(), offsetAt);
    for (let offsetDays = 0; offsetDays < 3; offsetDays++) {
      const d = new Date(Date.UTC(today.year, today.month - 1, today.day + offsetDays));
      const candidate = wallTimeToUtc(
        d.getUTCFullYear(),
        d.getUTCMonth() + 1,
        d.getUTCDate(),
        hour,
        minute,
        offsetAt,
      );
      if (candidate >= earliest) return formatWithOffset(candidate, offsetAt);
    }
    return undefined;
  });
  // Unreachable for any lead under a day: two days ahead is always later than now + lead.
  if (start === undefined) throw new RangeError(`minLeadMinutes ${minLeadMinutes} is more than a day`);
  return start;
}
