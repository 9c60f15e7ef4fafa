/** A source of the current time, injected so that synthesized output is deterministic. */
export type Clock = () => Date;

/** `HH:MM`, 24-hour. */
export const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** One formatter per zone: building an Intl.DateTimeFormat costs far more than using one. */
const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

/** The offset of `zone` from UTC at instant `utcMs`, in minutes (east positive). */
export function zoneOffsetMinutes(utcMs: number, zone: string): number {
  let formatter = zoneFormatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    zoneFormatters.set(zone, formatter);
  }
  const parts = formatter.formatToParts(new Date(utcMs));
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
}

/** The calendar date (year, month 1-12, day) of instant `utcMs` in `zone`. */
function zonedDate(utcMs: number, zone: string): { year: number; month: number; day: number } {
  const local = new Date(utcMs + zoneOffsetMinutes(utcMs, zone) * 60000);
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
}

/** The instant at which the wall clock in `zone` shows the given local date and time. */
function wallTimeToUtc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  zone: string,
): number {
  const naive = Date.UTC(year, month - 1, day, hour, minute);
  let utc = naive - zoneOffsetMinutes(naive, zone) * 60000;
  // A second pass settles the offset when a daylight-saving change lies between the two guesses.
  utc = naive - zoneOffsetMinutes(utc, zone) * 60000;
  return utc;
}

function pad(n: number, width = 2): string {
  return String(Math.abs(n)).padStart(width, '0');
}

/** RFC 3339 with the zone's own offset, as Azure Automation shows schedule start times. */
export function formatInZone(utcMs: number, zone: string): string {
  const offset = zoneOffsetMinutes(utcMs, zone);
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
  const today = zonedDate(now.getTime(), zone);
  for (let offsetDays = 0; offsetDays < 3; offsetDays++) {
    const d = new Date(Date.UTC(today.year, today.month - 1, today.day + offsetDays));
    const candidate = wallTimeToUtc(
      d.getUTCFullYear(),
      d.getUTCMonth() + 1,
      d.getUTCDate(),
      hour,
      minute,
      zone,
    );
    if (candidate >= earliest) return formatInZone(candidate, zone);
  }
  // Unreachable for any lead under a day: two days ahead is always later than now + lead.
  throw new RangeError(`minLeadMinutes ${minLeadMinutes} is more than a day`);
}
