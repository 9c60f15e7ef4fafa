import type { ResourceRef, RuleSet } from './rules';

/**
 * The PowerShell runtimes this library deploys the runbook on: the one table of versions.
 *
 * Azure Automation runs PowerShell 7.4 (and later) only in a runtime environment (API 2024-10-23,
 * `Microsoft.Automation/automationAccounts/runtimeEnvironments`) that the runbook links to by name;
 * its system-generated environments stop at PowerShell 7.2 (Microsoft Learn, "Runtime environment
 * in Azure Automation"). PowerShell 5.1 is also offered there, but the runbook needs 7.2 or later
 * (`#Requires -Version 7.2`). Add a version here when Automation documents it for runtime
 * environments, and move `POWERSHELL_RUNTIMES_CHECKED_ON`: on that day no Learn page listed
 * PowerShell 7.6 (the current PowerShell LTS) for Automation; 7.4 was the newest.
 */
export const POWERSHELL_RUNTIMES = Object.freeze({
  /** The classic `PowerShell72` runbook type, no runtime environment. */
  '7.2': { runbookType: 'PowerShell72', runtimeEnvironment: false, endOfSupport: '2024-11-08' },
  /** A PowerShell 7.4 runtime environment; the runbook's type is then `PowerShell`. */
  '7.4': { runbookType: 'PowerShell', runtimeEnvironment: true, endOfSupport: '2026-11-10' },
} as const);

/**
 * The day {@link POWERSHELL_RUNTIMES} was last compared with Microsoft Learn's runtime environment
 * pages. The policy rules read the versions' end of support against this day, never the clock, so
 * the output is the same on every day: a version whose support ended by then is reported
 * (ASR-W05, or ASR-W06 for the newest version Automation documents).
 */
export const POWERSHELL_RUNTIMES_CHECKED_ON = '2026-12-04';

/** A PowerShell version from {@link POWERSHELL_RUNTIMES}. */
export type PowerShellRuntimeVersion = keyof typeof POWERSHELL_RUNTIMES;

/** The versions accepted for `automation.runtime.version`, oldest first. */
export const POWERSHELL_RUNTIME_VERSIONS = Object.keys(POWERSHELL_RUNTIMES) as PowerShellRuntimeVersion[];

/** The system-generated runtime environments Automation creates in every account; none of them runs 7.4. */
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
   * The PowerShell version. `7.4` runs the runbook in a runtime environment (created, or the one
   * named by `existingEnvironmentName`). `7.2` uses the classic `PowerShell72` runbook type without
   * a runtime environment: PowerShell 7.2 reached end of support on 2024-11-08, so it is reported
   * as warning ASR-W05 unless suppressed with a reason. PowerShell 7.4 reached the end of its
   * community support on 2026-11-10 and Azure Automation documents no newer runtime environment
   * yet, so 7.4 stays the default and is reported as warning ASR-W06 unless suppressed with a reason.
   * @default '7.4'
   */
  readonly version?: PowerShellRuntimeVersion;
  /**
   * Link the runbook to an existing runtime environment of the account, by name, instead of
   * creating one. It must be a PowerShell environment of `version` (a system-generated one such as
   * `PowerShell-7.2` is refused). Not allowed with version `7.2`. A literal or a reference
   * (`environment.name`): a literal is checked now, a reference when it is known (Pulumi).
   * @default none: a runtime environment named `asr-mobility-autoupdate-ps74` (for 7.4) is created
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
  /** PowerShell's end of support for this version (YYYY-MM-DD). */
  readonly endOfSupport: string;
  /** Present unless the classic `PowerShell72` type is used. */
  readonly environment?: RuntimeEnvironmentSpec<R>;
}

export const RUNTIME_DEFAULTS = Object.freeze({
  version: '7.4' as PowerShellRuntimeVersion,
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
    "an object such as { version: '7.4' }",
  );
  const r = rules.child(prop);
  const version: PowerShellRuntimeVersion =
    (given &&
      r.choice(
        'version',
        given.version,
        POWERSHELL_RUNTIME_VERSIONS,
        `must be a PowerShell version Azure Automation documents for runbooks: ${POWERSHELL_RUNTIME_VERSIONS.map((v) => `'${v}'`).join(', ')}`,
      )) ??
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
    if (
      r.check(
        row.runtimeEnvironment,
        'existingEnvironmentName',
        r.isDeployTime(existing) ? undefined : existing,
        `PowerShell ${version} uses the classic PowerShell72 runbook type, which links no runtime environment: remove existingEnvironmentName or choose version ${POWERSHELL_RUNTIME_VERSIONS.filter((v) => POWERSHELL_RUNTIMES[v].runtimeEnvironment).join(' or ')}`,
      )
    )
      existingName = r.ref('existingEnvironmentName', existing, checkName) as ResourceRef<R> | undefined;
  }

  const environment: RuntimeEnvironmentSpec<R> | undefined = row.runtimeEnvironment
    ? {
        name: existingName ?? runtimeEnvironmentName(version),
        create: existingName === undefined,
        language: 'PowerShell',
        version,
        defaultPackages: {},
        description: `PowerShell ${version} for the Site Recovery Mobility-service auto-update runbook; no default packages.`,
      }
    : undefined;
  return { version, runbookType: row.runbookType, endOfSupport: row.endOfSupport, environment };
}
