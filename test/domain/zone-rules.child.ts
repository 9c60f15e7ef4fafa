// Run by regions-and-schedule.test.ts in a child process (node scripts/ts-run.js), where setting
// process.env.TZ reaches the runtime as it does for a user's synth (under jest it does not). Prints
// one JSON document: which source the offsets came from, every difference from Intl over two
// years for every zone of the region table (at each transition's minute too), and TZ afterwards.
import {
  nextDailyStart,
  REGIONS,
  zoneOffsetMinutes,
  zoneRulesSource,
} from '../../constructs/domain/internal';

/** The oracle: Intl's own offset name ("GMT+05:30", "GMT-03:00", "GMT"), another path than schedule.ts's fallback. */
const intlOffset = (zone: string) => {
  const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
  return (ms: number): number => {
    const name = format.formatToParts(new Date(ms)).find((x) => x.type === 'timeZoneName')?.value ?? '';
    const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name);
    if (!m) throw new Error(`unexpected offset name ${JSON.stringify(name)} for ${zone}`);
    return m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  };
};

const from = Date.parse('2026-01-01T00:00:00Z');
const to = Date.parse('2028-01-01T00:00:00Z');
const step = 24 * 3600000;
const mismatches: string[] = [];
let transitions = 0;
const zones = new Set(Object.values(REGIONS).map((r) => r.timeZone));
for (const zone of zones) {
  const want = intlOffset(zone);
  const check = (ms: number): void => {
    const got = zoneOffsetMinutes(ms, zone);
    if (got !== want(ms)) mismatches.push(`${zone} ${new Date(ms).toISOString()}: ${got}, Intl ${want(ms)}`);
  };
  for (let ms = from; ms < to; ms += step) {
    check(ms);
    if (want(ms) === want(ms + step)) continue;
    // A transition in (ms, ms + step]: find its minute with Intl and check both sides of it.
    let lo = ms;
    let hi = ms + step;
    while (hi - lo > 60000) {
      const mid = lo + Math.floor((hi - lo) / 120000) * 60000;
      if (want(mid) === want(ms)) lo = mid;
      else hi = mid;
    }
    transitions++;
    check(lo);
    check(hi);
  }
}

const tzAfter: (string | null)[] = [];
zoneOffsetMinutes(Date.parse('2026-07-01T00:00:00Z'), 'Asia/Tokyo');
tzAfter.push(process.env.TZ ?? null);
const localOffsetAfter = new Date(Date.parse('2026-07-01T00:00:00Z')).getTimezoneOffset();
delete process.env.TZ;
nextDailyStart(new Date('2026-11-22T10:00:00Z'), '00:00', 'Europe/Amsterdam', 10);
tzAfter.push(Object.hasOwn(process.env, 'TZ') ? (process.env.TZ ?? null) : null);

process.stdout.write(
  JSON.stringify({
    source: zoneRulesSource(),
    mismatches,
    transitions,
    zones: zones.size,
    tzAfter,
    localOffsetAfter,
  }),
);
