import { AUTOMATION_DEFAULTS, nameOr } from './automation-defaults';
import { checkName, SCHEDULE_NAME } from './naming';
import { isIanaTimeZone, regionInfo } from './regions';
import type { RuleSet } from './rules';
import { nextDailyStart, TIME_OF_DAY, type Clock } from './schedule';
import { REGION_LITERAL } from './vault';

/** A daily schedule of the runbook: one for a vault, one per time zone for a fleet. */
export interface DailyScheduleSpec {
  readonly name: string;
  readonly frequency: 'Day';
  readonly interval: 1;
  readonly timeZone: string;
  readonly timeOfDay: string;
  readonly startTime: string;
}

/** What the schedule of one vault is derived from, as given: the account's props, else the vault's. */
export interface VaultScheduleInput {
  readonly sourceRegion?: unknown;
  readonly timeZone?: unknown;
  readonly timeOfDay?: unknown;
  readonly startTime?: unknown;
  readonly clock?: unknown;
}

const systemClock: Clock = () => new Date();

/** The clock's "now": a function returning a valid Date, else undefined (reported). */
export function readClock(rules: RuleSet, clock: unknown): Date | undefined {
  if (clock === undefined) return systemClock();
  if (!rules.check(typeof clock === 'function', 'clock', clock, 'must be a function that returns a Date'))
    return undefined;
  const now: unknown = (clock as () => unknown)();
  return rules.check(
    now instanceof Date && !Number.isNaN(now.getTime()),
    'clock',
    now,
    'must return a valid Date',
  )
    ? (now as Date)
    : undefined;
}

/** The schedule's name (a fleet's zones append their key to it). */
export function resolveScheduleName(rules: RuleSet, value: unknown): string {
  return nameOr(
    checkName(
      rules,
      'scheduleName',
      value,
      SCHEDULE_NAME,
      'a schedule name has 1-128 characters, none of < > * % & : \\ ? . + /, and does not end with a space',
    ),
    value,
    AUTOMATION_DEFAULTS.scheduleName,
  );
}

/** The local time of the daily run, `HH:MM`; undefined when the given value is not one (reported). */
export function resolveTimeOfDay(rules: RuleSet, value: unknown): string | undefined {
  const input = value ?? AUTOMATION_DEFAULTS.timeOfDay;
  return rules.check(
    typeof input === 'string' && TIME_OF_DAY.test(input),
    'timeOfDay',
    value,
    'must be HH:MM in 24-hour time, for example 00:00',
  )
    ? (input as string)
    : undefined;
}

/** A daily schedule whose first run is the next `timeOfDay` in `timeZone` at least the lead after `now` ('' without a clock). */
export function dailySchedule(
  name: string,
  timeZone: string,
  timeOfDay: string,
  now: Date | undefined,
  startTime?: string,
): DailyScheduleSpec {
  return {
    name,
    frequency: 'Day',
    interval: 1,
    timeZone,
    timeOfDay,
    startTime:
      startTime ??
      (now ? nextDailyStart(now, timeOfDay, timeZone, AUTOMATION_DEFAULTS.startLeadMinutes) : ''),
  };
}

/** The description of one vault's schedule. */
export function scheduleDescription(s: Pick<DailyScheduleSpec, 'timeOfDay' | 'timeZone'>): string {
  return `Daily at ${s.timeOfDay} ${s.timeZone}.`;
}

const START_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * One vault's daily schedule: the zone from the source region unless given (an unknown region needs
 * an explicit zone), the time of day, the first run. An existing vault may carry the region and zone
 * (`RecoveryVault.fromVaultId`); the account's own props win. Also returns the clock's now.
 */
export function resolveVaultSchedule(
  rules: RuleSet,
  p: VaultScheduleInput,
  vault: { readonly sourceRegion?: string; readonly timeZone?: string } | undefined,
  name: string,
): { readonly schedule: DailyScheduleSpec; readonly now: Date | undefined } {
  const regionLiteral = rules.literal('sourceRegion', p.sourceRegion, REGION_LITERAL);
  const sourceRegion = regionLiteral ? (p.sourceRegion ?? vault?.sourceRegion) : undefined;
  const givenZone = p.timeZone ?? vault?.timeZone;
  const region = typeof sourceRegion === 'string' ? regionInfo(sourceRegion) : undefined;
  if (givenZone === undefined && regionLiteral) {
    rules.check(
      region !== undefined,
      'sourceRegion',
      sourceRegion,
      'must be a known Azure region so the schedule can run at midnight in its time zone; for a region this library does not know yet, set the timeZone prop (an IANA name such as Europe/Amsterdam)',
    );
  }
  const zoneInput = givenZone ?? region?.timeZone ?? 'Etc/UTC';
  const zoneOk = rules.check(
    typeof zoneInput === 'string' && isIanaTimeZone(zoneInput),
    'timeZone',
    givenZone,
    'must be an IANA time zone name such as Europe/Amsterdam (Windows names such as "W. Europe Standard Time" are not accepted)',
  );
  const timeZone = zoneOk ? (zoneInput as string) : 'Etc/UTC';
  const checkedTime = resolveTimeOfDay(rules, p.timeOfDay);
  const timeOfDay = checkedTime ?? AUTOMATION_DEFAULTS.timeOfDay;
  const startOk = rules.check(
    p.startTime === undefined ||
      (typeof p.startTime === 'string' &&
        START_TIME.test(p.startTime) &&
        !Number.isNaN(Date.parse(p.startTime))),
    'startTime',
    p.startTime,
    'must be an RFC 3339 date-time with an offset, for example 2026-01-01T00:00:00+01:00',
  );
  const now = readClock(rules, p.clock);
  const given = startOk && typeof p.startTime === 'string' ? p.startTime : undefined;
  return {
    schedule: dailySchedule(
      name,
      timeZone,
      timeOfDay,
      zoneOk && checkedTime !== undefined ? now : undefined,
      given,
    ),
    now,
  };
}
