import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  isIanaTimeZone,
  nextDailyStart,
  normalizeRegion,
  regionInfo,
  REGIONS,
  zoneOffsetMinutes,
  zoneRulesSource,
} from '../../constructs/domain/internal';

const root = join(__dirname, '..', '..');

describe('region table', () => {
  it('maps every region to a time zone the IANA database knows', () => {
    // Intl itself, not isIanaTimeZone: the table's zones are known to that function by construction.
    const bad = Object.entries(REGIONS).filter(([, info]) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: info.timeZone });
        return false;
      } catch {
        return true;
      }
    });
    expect(bad).toEqual([]);
  });

  it('uses the location form of every name (lower case letters and digits)', () => {
    expect(Object.keys(REGIONS).filter((k) => !/^[a-z][a-z0-9]+$/.test(k))).toEqual([]);
  });

  it.each([
    ['eastus', 'America/New_York'],
    ['westus3', 'America/Phoenix'],
    ['westeurope', 'Europe/Amsterdam'],
    ['northeurope', 'Europe/Dublin'],
    ['uksouth', 'Europe/London'],
    ['centralindia', 'Asia/Kolkata'],
    ['japaneast', 'Asia/Tokyo'],
    ['australiaeast', 'Australia/Sydney'],
    ['brazilsouth', 'America/Sao_Paulo'],
    ['southafricanorth', 'Africa/Johannesburg'],
    ['usgovvirginia', 'America/New_York'],
    ['chinanorth3', 'Asia/Shanghai'],
  ])('puts %s in %s', (region, zone) => {
    expect(regionInfo(region)?.timeZone).toBe(zone);
  });

  it('covers the public regions a platform team is likely to use', () => {
    const expected = [
      'eastus',
      'eastus2',
      'centralus',
      'northcentralus',
      'southcentralus',
      'westcentralus',
      'westus',
      'westus2',
      'westus3',
      'canadacentral',
      'canadaeast',
      'brazilsouth',
      'northeurope',
      'westeurope',
      'uksouth',
      'ukwest',
      'francecentral',
      'germanywestcentral',
      'switzerlandnorth',
      'norwayeast',
      'swedencentral',
      'polandcentral',
      'italynorth',
      'spaincentral',
      'uaenorth',
      'qatarcentral',
      'israelcentral',
      'southafricanorth',
      'centralindia',
      'southindia',
      'eastasia',
      'southeastasia',
      'japaneast',
      'japanwest',
      'koreacentral',
      'australiaeast',
      'australiasoutheast',
      'newzealandnorth',
      'mexicocentral',
    ];
    expect(expected.filter((r) => regionInfo(r) === undefined)).toEqual([]);
  });

  it('accepts display names and other spellings', () => {
    expect(normalizeRegion('West Europe')).toBe('westeurope');
    expect(regionInfo('North-Europe')?.timeZone).toBe('Europe/Dublin');
  });

  it('knows nothing of made-up regions', () => {
    expect(regionInfo('marsnorth')).toBeUndefined();
  });

  it('rejects Windows zone names and garbage as IANA zones', () => {
    expect(isIanaTimeZone('W. Europe Standard Time')).toBe(false);
    expect(isIanaTimeZone('Europe/Atlantis')).toBe(false);
    expect(isIanaTimeZone('Europe/Amsterdam')).toBe(true);
  });
});

describe('nextDailyStart', () => {
  it('gives the coming local midnight, with the zone offset', () => {
    expect(nextDailyStart(new Date('2026-11-22T10:00:00Z'), '00:00', 'Europe/Amsterdam', 10)).toBe(
      '2026-11-23T00:00:00+01:00',
    );
    expect(nextDailyStart(new Date('2026-07-01T10:00:00Z'), '00:00', 'Europe/Amsterdam', 10)).toBe(
      '2026-07-02T00:00:00+02:00',
    );
    expect(nextDailyStart(new Date('2026-11-22T10:00:00Z'), '00:00', 'America/New_York', 10)).toBe(
      '2026-11-23T00:00:00-05:00',
    );
    expect(nextDailyStart(new Date('2026-11-22T10:00:00Z'), '00:00', 'Asia/Kolkata', 10)).toBe(
      '2026-11-23T00:00:00+05:30',
    );
  });

  it('skips a midnight that is less than the lead time away', () => {
    // 23:55 in Amsterdam: midnight is only 5 minutes ahead, so the next one is used.
    expect(nextDailyStart(new Date('2026-11-22T22:55:00Z'), '00:00', 'Europe/Amsterdam', 10)).toBe(
      '2026-11-24T00:00:00+01:00',
    );
    // 23:49: exactly 11 minutes ahead is enough.
    expect(nextDailyStart(new Date('2026-11-22T22:49:00Z'), '00:00', 'Europe/Amsterdam', 10)).toBe(
      '2026-11-23T00:00:00+01:00',
    );
  });

  it('uses the offset in force on the day of the start, across a daylight-saving change', () => {
    // Clocks go back in Amsterdam on 2026-10-25: the start after that day is at +01:00.
    expect(nextDailyStart(new Date('2026-10-25T10:00:00Z'), '00:00', 'Europe/Amsterdam', 10)).toBe(
      '2026-10-26T00:00:00+01:00',
    );
    expect(nextDailyStart(new Date('2026-10-24T10:00:00Z'), '00:00', 'Europe/Amsterdam', 10)).toBe(
      '2026-10-25T00:00:00+02:00',
    );
  });

  it('honours another time of day', () => {
    expect(nextDailyStart(new Date('2026-11-22T10:00:00Z'), '13:30', 'Europe/London', 10)).toBe(
      '2026-11-22T13:30:00+00:00',
    );
  });

  it('computes offsets east and west of UTC', () => {
    expect(zoneOffsetMinutes(Date.parse('2026-01-01T00:00:00Z'), 'Asia/Kolkata')).toBe(330);
    expect(zoneOffsetMinutes(Date.parse('2026-01-01T00:00:00Z'), 'America/Los_Angeles')).toBe(-480);
  });

  // Under jest, process.env is a copy that does not reach the runtime, so the offsets here come
  // from Intl (the fallback); a child process with the real environment checks the TZ path.
  it('falls back to Intl where setting TZ does not reach the runtime (jest)', () => {
    expect(zoneRulesSource()).toBe('intl');
  });

  it("gives Intl's offsets through TZ in a real process, for every zone of the table, at transitions too, and leaves TZ as it was", () => {
    const r = spawnSync(
      process.execPath,
      [join(root, 'scripts', 'ts-run.js'), join(__dirname, 'zone-rules.child.ts')],
      { encoding: 'utf8', env: { ...process.env, TZ: 'America/Chicago' }, timeout: 60000 },
    );
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as {
      source: string;
      mismatches: string[];
      transitions: number;
      zones: number;
      tzAfter: (string | null)[];
      localOffsetAfter: number;
    };
    expect(out.source).toBe('date');
    expect(out.mismatches).toEqual([]);
    expect(out.zones).toBe(new Set(Object.values(REGIONS).map((x) => x.timeZone)).size);
    // Two years of daylight saving in the table's northern and southern zones: the search ran.
    expect(out.transitions).toBeGreaterThan(40);
    // TZ set before (America/Chicago) and unset: each is as it was after a computation.
    expect(out.tzAfter).toEqual(['America/Chicago', null]);
    expect(out.localOffsetAfter).toBe(300);
  });

  it('refuses a zone the runtime does not know instead of computing in UTC', () => {
    expect(() => nextDailyStart(new Date('2026-11-22T10:00:00Z'), '00:00', 'Mars/Olympus_Mons', 10)).toThrow(
      /not a time zone this runtime knows: "Mars\/Olympus_Mons"/,
    );
    expect(() => zoneOffsetMinutes(0, 'Europe/Atlantis')).toThrow(RangeError);
  });

  it('fails when the time of day is not HH:MM', () => {
    expect(() => nextDailyStart(new Date(), '24:00', 'Etc/UTC', 10)).toThrow(/HH:MM/);
  });
});
