/**
 * One Mobility-service agent's status, judged from what Site Recovery reports for the protected
 * item and nothing else (no version table): the nightly report of the runbook applies the same
 * rules, and both are tested against one shared case table (test/fixtures/agent-status-cases.json).
 */

/** Agent statuses, most severe first. When several apply, the first in this list wins. */
export const AGENT_STATUSES = [
  'OutOfSupport',
  'Blocked',
  'SupportExpiring',
  'NeedsReboot',
  'UpdatePending',
  'Current',
  'Unknown',
] as const;

/**
 * - `OutOfSupport`: the agent's support expiry date has passed (Site Recovery supports N-4).
 * - `Blocked`: Site Recovery reports a reason that stops the upgrade, gave up upgrading after its
 *   retries (A2A), or says the agent must be reinstalled.
 * - `SupportExpiring`: support ends within the warning window.
 * - `NeedsReboot`: the upgrade waits for the machine to restart.
 * - `UpdatePending`: a newer agent is available or required and nothing blocks it, or an upgrade is
 *   in progress (never `Blocked` then: what blocked an earlier attempt no longer applies).
 * - `Current`: nothing to do.
 * - `Unknown`: Site Recovery reported nothing to judge by (no version, no expiry, no flags).
 */
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/**
 * `reasonsBlockingUpgrade` values that do not block: the agent is already current, or the
 * upgrade only waits for a reboot. Every other value (`AgentNoHeartbeat`, `MissingUpgradePath`,
 * `NotProtected`, `Unknown`, ...) blocks.
 */
export const NON_BLOCKING_UPGRADE_REASONS: readonly string[] = ['AlreadyOnLatestVersion', 'RebootRequired'];

/** The `reasonsBlockingUpgrade` value (api-version 2025-08-01 and later) that says the agent must be reinstalled. */
export const REINSTALL_REQUIRED_REASON = 'ReInstallRequired';

/**
 * InMageRcm `agentUpgradeState` values (`MobilityAgentUpgradeState`: None, Started, Completed,
 * Commit) that mean an upgrade is under way.
 */
export const UPGRADE_IN_PROGRESS_STATES: readonly string[] = ['Started', 'Commit'];

/** What Site Recovery reports about an InMageRcm (VMware modernized) item's Mobility agent. */
export interface MobilityAgentDetails {
  readonly version?: string | null;
  readonly latestVersion?: string | null;
  readonly agentVersionExpiryDate?: string | null;
  /** The string `"true"` or `"false"`, as ARM sends it. */
  readonly isUpgradeable?: string | null;
  readonly latestUpgradableVersionWithoutReboot?: string | null;
  readonly reasonsBlockingUpgrade?: readonly string[] | null;
  /** Whether the agent must be reinstalled (api-version 2025-08-01 and later). */
  readonly isAgentReinstallRequired?: boolean | null;
  /** What blocks the reinstall (`AgentReinstallBlockedReason` values). */
  readonly reasonsBlockingReinstall?: readonly string[] | null;
  /**
   * The reinstall Site Recovery triggered (`UserTriggered`, `AutoTriggered`): a list before
   * api-version 2026-02-01, a single value since. Both are accepted.
   */
  readonly agentReinstallState?: string | readonly string[] | null;
}

/** An upgrade blocking error, as ARM reports it (only the code is used). */
export interface AgentUpgradeBlockingError {
  readonly errorCode?: string | null;
  readonly errorMessage?: string | null;
}

/** The agent facts of one protected item, by provider. */
export type AgentFacts =
  | {
      readonly provider: 'A2A';
      readonly agentVersion?: string | null;
      readonly agentExpiryDate?: string | null;
      readonly isReplicationAgentUpdateRequired?: boolean | null;
      readonly isReplicationAgentCertificateUpdateRequired?: boolean | null;
      /** Whether an agent upgrade is running (api-version 2025-08-01 and later). */
      readonly isAgentUpgradeInProgress?: boolean | null;
      /** How many times Site Recovery retried the automatic upgrade. */
      readonly autoAgentUpgradeRetryCount?: number | null;
      /** Whether Site Recovery gave up the automatic upgrade after its retries. */
      readonly isAgentUpgradeRetryThresholdExhausted?: boolean | null;
      /** Whether the agent must be reinstalled. */
      readonly isAgentReinstallRequired?: boolean | null;
      /** What blocks the reinstall: one string in the specification. */
      readonly reasonsBlockingReInstall?: string | null;
    }
  | {
      readonly provider: 'InMageRcm';
      readonly mobilityAgentDetails?: MobilityAgentDetails | null;
      readonly agentUpgradeState?: string | null;
      readonly agentUpgradeBlockingErrorDetails?: readonly AgentUpgradeBlockingError[] | null;
    };

/** The verdict on one agent. */
export interface AgentVerdict {
  readonly status: AgentStatus;
  /** Why, one short token per finding (`expired:2026-10-01`, `blocked:AgentNoHeartbeat`, ...), in severity order. */
  readonly reasons: readonly string[];
}

/** How the verdict is reached. */
export interface ClassifyOptions {
  /** The time the report is made (injected, never read from the clock here). */
  readonly now: Date;
  /**
   * How many days before the expiry date an agent counts as `SupportExpiring`.
   * @default 30
   */
  readonly expiringWithinDays?: number;
}

/** The default warning window before an agent's support ends, in days. */
export const DEFAULT_EXPIRING_WITHIN_DAYS = 30;

const DAY_MS = 86_400_000;

/**
 * Compares two dotted numeric versions (`9.62.7172.1`); missing segments count as 0.
 * Returns `undefined` when either is not a dotted numeric version.
 */
export function compareAgentVersions(a: string, b: string): number | undefined {
  const parse = (v: string): number[] | undefined =>
    /^\d+(\.\d+)*$/.test(v.trim()) ? v.trim().split('.').map(Number) : undefined;
  const pa = parse(a);
  const pb = parse(b);
  if (!pa || !pb) return undefined;
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

const present = (s: string | null | undefined): s is string => typeof s === 'string' && s.trim() !== '';

/** A value that is one string or a list of them (or neither), as a list of the non-empty ones. */
const listOf = (v: unknown): string[] =>
  (Array.isArray(v) ? (v as unknown[]) : [v]).filter(
    (x): x is string => typeof x === 'string' && x.trim() !== '',
  );

/** The reasons of a reinstall that Site Recovery requires, after the `blocked:ReinstallRequired` token. */
function reinstallReasons(blockedBy: unknown, triggered: unknown): string[] {
  return [
    'blocked:ReinstallRequired',
    ...listOf(blockedBy).map((r) => `reinstallBlocked:${r.trim()}`),
    ...listOf(triggered).map((t) => `reinstallTriggered:${t.trim()}`),
  ];
}

/**
 * Judges one agent from Site Recovery's facts. Every applicable finding is listed in `reasons`;
 * the status is the most severe of them (see {@link AGENT_STATUSES}).
 */
export function classifyAgent(facts: AgentFacts, options: ClassifyOptions): AgentVerdict {
  const window = options.expiringWithinDays ?? DEFAULT_EXPIRING_WITHIN_DAYS;
  const found = new Map<AgentStatus, string[]>();
  const add = (status: AgentStatus, reason: string): void => {
    found.set(status, [...(found.get(status) ?? []), reason]);
  };

  const expiry =
    facts.provider === 'A2A' ? facts.agentExpiryDate : facts.mobilityAgentDetails?.agentVersionExpiryDate;
  let known = false;
  if (present(expiry)) {
    const at = Date.parse(expiry);
    if (!Number.isNaN(at)) {
      known = true;
      const date = new Date(at).toISOString().slice(0, 10);
      if (at <= options.now.getTime()) add('OutOfSupport', `expired:${date}`);
      else if (at - options.now.getTime() <= window * DAY_MS) add('SupportExpiring', `expires:${date}`);
    }
  }

  if (facts.provider === 'A2A') {
    if (present(facts.agentVersion)) known = true;
    const upgrading = facts.isAgentUpgradeInProgress === true;
    if (facts.isReplicationAgentUpdateRequired === true) add('UpdatePending', 'agentUpdateRequired');
    if (facts.isReplicationAgentCertificateUpdateRequired === true)
      add('UpdatePending', 'certificateUpdateRequired');
    if (
      facts.isReplicationAgentUpdateRequired === false ||
      facts.isReplicationAgentCertificateUpdateRequired === false
    ) {
      known = true;
    }
    if (upgrading) {
      // An upgrade under way is pending, never blocked: earlier attempts' outcome no longer applies.
      known = true;
      add('UpdatePending', 'upgradeInProgress');
    } else {
      if (facts.isAgentUpgradeRetryThresholdExhausted === true) {
        const count = facts.autoAgentUpgradeRetryCount;
        add(
          'Blocked',
          `blocked:UpgradeGaveUpAfterRetries${typeof count === 'number' && Number.isFinite(count) ? `:${count}` : ''}`,
        );
      }
      if (facts.isAgentReinstallRequired === true) {
        for (const r of reinstallReasons(facts.reasonsBlockingReInstall, undefined)) add('Blocked', r);
      }
    }
  } else {
    const details = facts.mobilityAgentDetails ?? {};
    const version = details.version;
    const latest = details.latestVersion;
    const withoutReboot = details.latestUpgradableVersionWithoutReboot;
    const reasons = details.reasonsBlockingUpgrade ?? [];
    const upgrading =
      present(facts.agentUpgradeState) && UPGRADE_IN_PROGRESS_STATES.includes(facts.agentUpgradeState);
    if (present(version)) known = true;
    if (reasons.length > 0) known = true;

    if (!upgrading) {
      for (const reason of reasons) {
        if (!NON_BLOCKING_UPGRADE_REASONS.includes(reason) && reason !== REINSTALL_REQUIRED_REASON)
          add('Blocked', `blocked:${reason}`);
      }
      for (const error of facts.agentUpgradeBlockingErrorDetails ?? []) {
        add('Blocked', `blocked:${present(error.errorCode) ? error.errorCode : 'UpgradeError'}`);
      }
      if (details.isAgentReinstallRequired === true || reasons.includes(REINSTALL_REQUIRED_REASON)) {
        for (const r of reinstallReasons(details.reasonsBlockingReinstall, details.agentReinstallState))
          add('Blocked', r);
      }
    }

    const behind = present(version) && present(latest) ? compareAgentVersions(version, latest) === -1 : false;
    const atRebootStep =
      behind &&
      present(withoutReboot) &&
      present(version) &&
      compareAgentVersions(version, withoutReboot) === 0;
    if (reasons.includes('RebootRequired') || atRebootStep) add('NeedsReboot', 'rebootRequired');
    else if (behind && !found.has('Blocked')) {
      // A blocked machine's pending update is already explained by what blocks it.
      if (details.isUpgradeable === 'false' && !upgrading) add('Blocked', 'blocked:NotUpgradeable');
      else add('UpdatePending', `latest:${latest}`);
    }
    if (upgrading) add('UpdatePending', 'upgradeInProgress');
  }

  for (const status of AGENT_STATUSES) {
    const reasons = found.get(status);
    if (reasons) {
      return { status, reasons: AGENT_STATUSES.flatMap((s) => found.get(s) ?? []) };
    }
  }
  return known ? { status: 'Current', reasons: [] } : { status: 'Unknown', reasons: ['noAgentFacts'] };
}
