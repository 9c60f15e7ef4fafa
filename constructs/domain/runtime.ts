import type { ResourceRef, RuleSet } from './rules';

/**
 * The PowerShell runtimes this library deploys the runbook on: the one table of versions.
 *
 * Azure Automation runs PowerShell 7.4 and later only in a runtime environment (API 2024-10-23,
 * `Microsoft.Automation/automationAccounts/runtimeEnvironments`) that the runbook links to by name,
 * with the runbook type `PowerShell`. PowerShell 7.6 runbooks and runtime environments are generally
 * available in Automation since 2026-07-30 (Azure Update 568102, "Generally Available: Azure
 * Automation supports PowerShell 7.6 runbooks and Runtime environment"). PowerShell 7.1 and 7.2 were
 * retired in Automation on 2026-09-30 (Azure Update 567556): see {@link RETIRED_POWERSHELL_RUNTIMES}.
 * The runbook states `#Requires -Version 7.2`, below the oldest version here, so the same script
 * runs on every accepted version (its suite runs it on 7.6). Add a version when Automation
 * announces it, and move `POWERSHELL_RUNTIMES_CHECKED_ON`.
 */
export const POWERSHELL_RUNTIMES = Object.freeze({
  /**
   * A PowerShell 7.4 runtime environment. PowerShell's community support for 7.4 ended on
   * 2026-11-10 (warning ASR-W06); Automation still runs it.
   */
  '7.4': { runbookType: 'PowerShell', runtimeEnvironment: true, endOfSupport: '2026-11-10' },
  /**
   * A PowerShell 7.6 runtime environment (the current PowerShell LTS; in Automation since
   * 2026-07-30, Azure Update 568102). Its end of support is not recorded here: none of the sources
   * checked on `POWERSHELL_RUNTIMES_CHECKED_ON` names a date.
   */
  '7.6': { runbookType: 'PowerShell', runtimeEnvironment: true, endOfSupport: null },
} as const);

/**
 * PowerShell versions Azure Automation no longer runs: refused with the date and the announcement.
 * A runbook deployed on one would not run, so no suppression can keep it.
 */
export const RETIRED_POWERSHELL_RUNTIMES: Readonly<
  Record<string, { readonly retiredInAutomation: string; readonly announcement: string }>
> = Object.freeze({
  '7.1': { retiredInAutomation: '2026-09-30', announcement: 'Azure Update 567556' },
  '7.2': { retiredInAutomation: '2026-09-30', announcement: 'Azure Update 567556' },
});

/**
 * The day {@link POWERSHELL_RUNTIMES} was last compared with Azure's announcements (Azure Updates
 * 568102 and 567556) and PowerShell's lifecycle. The policy rules read the versions' end of
 * support against this day, never the clock, so the output is the same on every day: a version
 * whose community support ended by then is reported (ASR-W06).
 */
export const POWERSHELL_RUNTIMES_CHECKED_ON = '2026-12-07';

/** A PowerShell version from {@link POWERSHELL_RUNTIMES}. */
export type PowerShellRuntimeVersion = keyof typeof POWERSHELL_RUNTIMES;

/** The versions accepted for `automation.runtime.version`, oldest first. */
export const POWERSHELL_RUNTIME_VERSIONS = Object.keys(POWERSHELL_RUNTIMES) as PowerShellRuntimeVersion[];

/**
 * The system-generated runtime environments Automation creates in every account; none of them runs
 * 7.4 or 7.6 (and those of PowerShell 7.1 and 7.2 and Python 2.7 and 3.8 were retired on 2026-09-30).
 */
export const SYSTEM_RUNTIME_ENVIRONMENT_NAMES = [
  'PowerShell-5.1',
  'PowerShell-7.1',
  'PowerShell-7.2',
  'Python-2.7',
  'Python-3.8',
  'Python-3.10',
] as const;

/**
 * A runtime environment name: 1-63 characters, letters, digits, `_`, `-` and `.`, starting with a
 * letter and not ending with a period.
 */
export const RUNTIME_ENVIRONMENT_NAME = /^[A-Za-z](?:[A-Za-z0-9_.-]{0,61}[A-Za-z0-9_-])?$/;

/** The PowerShell runtime the runbook runs on. */
export interface RunbookRuntimeProps<R = never> {
  /**
   * The PowerShell version, run in a runtime environment (created, or the one named by
   * `existingEnvironmentName`). `7.6` is the current PowerShell LTS, in Azure Automation since
   * 2026-07-30 (Azure Update 568102). `7.4` is still accepted: PowerShell's community support for
   * it ended on 2026-11-10, so it is reported as warning ASR-W06 unless suppressed with a reason.
   * `7.1` and `7.2` are refused: Automation retired them on 2026-09-30 (Azure Update 567556).
   * @default '7.6'
   */
  readonly version?: PowerShellRuntimeVersion;
  /**
   * Link the runbook to an existing runtime environment of the account, by name, instead of
   * creating one. It must be a PowerShell environment of `version` (a system-generated one such as
   * `PowerShell-7.2` is refused). A literal or a reference
   * (`environment.name`): a literal is checked now, a reference when it is known (Pulumi).
   * @default none: a runtime environment named `asr-mobility-autoupdate-ps76` (for 7.6) is created
   * next to the runbook, with no default packages (the runbook loads no module, so jobs start faster)
   */
  readonly existingEnvironmentName?: ResourceRef<R>;
}

/** The runtime environment the runbook links to. */
export interface RuntimeEnvironmentSpec<R = never> {
  readonly name: ResourceRef<R>;
  /** Whether this library creates it (`false`: an existing one is linked). */
  readonly create: boolean;
  readonly language: 'PowerShell';
  readonly version: PowerShellRuntimeVersion;
  /** Default packages (for example `az`): none, the runbook needs no module. */
  readonly defaultPackages: Readonly<Record<string, string>>;
  readonly description: string;
}

/** A validated runtime choice with every default applied. */
export interface RunbookRuntimeSpec<R = never> {
  readonly version: PowerShellRuntimeVersion;
  /** The Automation runbook type that goes with the version. */
  readonly runbookType: 'PowerShell' | 'PowerShell72';
  /** PowerShell's end of support for this version (YYYY-MM-DD), or `null` when none is recorded. */
  readonly endOfSupport: string | null;
  /**
   * The runtime environment. Every accepted version runs in one since PowerShell 7.2 (the classic
   * `PowerShell72` type, which had none) was retired in Automation on 2026-09-30.
   */
  readonly environment?: RuntimeEnvironmentSpec<R>;
}

export const RUNTIME_DEFAULTS = Object.freeze({
  version: '7.6' as PowerShellRuntimeVersion,
  environmentNamePrefix: 'asr-mobility-autoupdate-ps',
});

/** The deterministic name of the runtime environment this library creates for `version`. */
export function runtimeEnvironmentName(version: PowerShellRuntimeVersion): string {
  return `${RUNTIME_DEFAULTS.environmentNamePrefix}${version.replace('.', '')}`;
}

/**
 * Validates `automation.runtime` (reported under `prop`) and applies its defaults. The props are
 * unknown until checked: a value that fails its check is reported and never read.
 */
export function resolveRunbookRuntime<R = never>(
  rules: RuleSet,
  prop: string,
  props: unknown,
): RunbookRuntimeSpec<R> {
  const given = rules.object(
    prop,
    props,
    ['version', 'existingEnvironmentName'],
    "an object such as { version: '7.6' }",
  );
  const r = rules.child(prop);
  const retired =
    given && typeof given.version === 'string' && Object.hasOwn(RETIRED_POWERSHELL_RUNTIMES, given.version)
      ? RETIRED_POWERSHELL_RUNTIMES[given.version]
      : undefined;
  if (retired)
    r.check(
      false,
      'version',
      given?.version,
      `PowerShell ${String(given?.version)} was retired in Azure Automation on ${retired.retiredInAutomation} (${retired.announcement}), so a runbook on it would not run: use '7.6' (the default) or '7.4'`,
    );
  const version: PowerShellRuntimeVersion =
    (given &&
      !retired &&
      r.choice(
        'version',
        given.version,
        POWERSHELL_RUNTIME_VERSIONS,
        `must be a PowerShell version Azure Automation runs in a runtime environment: ${POWERSHELL_RUNTIME_VERSIONS.map((v) => `'${v}'`).join(', ')}`,
      )) ||
    RUNTIME_DEFAULTS.version;
  const row = POWERSHELL_RUNTIMES[version];

  const existing: unknown = given?.existingEnvironmentName;
  let existingName: ResourceRef<R> | undefined;
  if (existing !== undefined) {
    const checkName = (rr: RuleSet, pp: string, v: unknown): boolean =>
      rr.check(
        typeof v === 'string' && RUNTIME_ENVIRONMENT_NAME.test(v),
        pp,
        v,
        'a runtime environment name has 1-63 characters: letters, digits, _ - and ., starting with a letter and not ending with a period',
      ) &&
      rr.check(
        !(SYSTEM_RUNTIME_ENVIRONMENT_NAMES as readonly string[]).includes(v as string),
        pp,
        v,
        `is a system-generated runtime environment (${SYSTEM_RUNTIME_ENVIRONMENT_NAMES.join(', ')}); none runs PowerShell ${version}: name a PowerShell ${version} environment you created, or leave existingEnvironmentName out to have one created`,
      );
    existingName = r.ref('existingEnvironmentName', existing, checkName) as ResourceRef<R> | undefined;
  }

  const environment: RuntimeEnvironmentSpec<R> = {
    name: existingName ?? runtimeEnvironmentName(version),
    create: existingName === undefined,
    language: 'PowerShell',
    version,
    defaultPackages: {},
    description: `PowerShell ${version} for the Site Recovery Mobility-service auto-update runbook; no default packages.`,
  };
  return { version, runbookType: row.runbookType, endOfSupport: row.endOfSupport, environment };
}
