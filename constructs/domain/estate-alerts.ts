import type { AlertSeverity } from './alerts';
import type { ResourceRef } from './rules';

// The estate's two log alerts (issue 31), engine-neutral: the at-risk alert (the latest run of a vault
// found a machine out of support or blocked) and the silence alert (a vault that reported in the last
// two days sent no run row for more than `silenceAlertAfterHours`). Both are split per vault by a
// `VaultId` dimension, so each vault fires and resolves on its own, and both look at a two-day window
// so the latest night is always in it. The adapters translate the spec; the KQL is checked by the
// Kusto language service in the suite.

/**
 * The at-risk alert's query: the machines of each vault's latest run (the latest `RunId` of the vault
 * in `AsrMobilityRun_CL` within the window) that are out of support or blocked. `Blocked` covers the
 * agent verdicts of the report (retries exhausted, `blocked:UpgradeGaveUpAfterRetries:<n>`; reinstall
 * required, `blocked:ReinstallRequired`; and the other blocking reasons). A vault whose latest run has
 * no such machine returns no row: its alert resolves.
 */
export const AT_RISK_ALERT_QUERY = [
  'let latestRun = AsrMobilityRun_CL',
  '    | summarize arg_max(TimeGenerated, RunId) by VaultId',
  '    | project VaultId, RunId;',
  'AsrMobilityAgent_CL',
  '| join kind=inner (latestRun) on VaultId, RunId',
  "| where Status in ('OutOfSupport', 'Blocked')",
  '| project TimeGenerated, VaultId, Machine, Provider, AgentVersion, ExpiryDate, Status, Reasons',
].join('\n');

/**
 * The silence alert's query, for a threshold in hours: each vault of the window whose latest run row is
 * older than the threshold, with the hours since. A vault with no row in the window is not seen.
 */
export function silenceAlertQuery(afterHours: number): string {
  return [
    'AsrMobilityRun_CL',
    '| summarize LastRun = max(TimeGenerated) by VaultId',
    `| where LastRun < ago(${afterHours}h)`,
    '| project TimeGenerated = LastRun, VaultId, HoursSilent = round((now() - LastRun) / 1h, 1)',
  ].join('\n');
}

/** One dimension of a log alert: split the rule's result into one alert per value of the column. */
export interface EstateAlertDimension {
  /** A string column of the query's result. */
  readonly name: 'VaultId';
  readonly operator: 'Include';
  /** `*`: every value the query returns, including values first seen later. */
  readonly values: readonly ['*'];
}

/** A scheduled-query (log search) alert on the workspace, split per vault. */
export interface EstateLogAlertSpec<R = never> {
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  readonly enabled: true;
  readonly severity: AlertSeverity;
  readonly evaluationFrequency: string;
  /** The query's time range: two days, so the latest night is always in it. */
  readonly windowSize: string;
  /** Stateful: each vault's alert fires once and resolves by itself (see the spec's description). */
  readonly autoMitigate: true;
  readonly query: string;
  readonly timeAggregation: 'Count';
  readonly operator: 'GreaterThan';
  readonly threshold: 0;
  /** One alert per vault: the query's `VaultId` column. */
  readonly dimensions: readonly EstateAlertDimension[];
  readonly failingPeriods: {
    readonly numberOfEvaluationPeriods: 1;
    readonly minFailingPeriodsToAlert: 1;
  };
  /** The failed-job alert's action groups, as given. */
  readonly actionGroupIds: readonly ResourceRef<R>[];
}

/** The scheduled-query alert on the latest night's agents, one alert per vault. */
export type AtRiskAlertSpec<R = never> = EstateLogAlertSpec<R>;
/** The scheduled-query alert on vaults that stopped sending rows, one alert per vault. */
export type SilenceAlertSpec<R = never> = EstateLogAlertSpec<R>;

export const ESTATE_ALERT_DEFAULTS = Object.freeze({
  /** Evaluated every hour: the nightly rows are seen within the hour they arrive. */
  evaluationFrequency: 'PT1H',
  /**
   * Two days, the longest window a log alert takes: it always holds the latest night (rows stamped 24 h
   * apart), and it is the silence alert's bound (a vault silent for longer leaves it).
   */
  windowSize: 'P2D',
  windowHours: 48,
  /**
   * Hours without a run row before a vault counts as silent: the 24 h cadence, plus up to 3 h of the
   * job (Automation stops a cloud job after 3 h of fair share; rows are sent at its end and stamped at
   * its start) and an hour of ingestion latency.
   */
  silenceAlertAfterHours: 28,
  /** At least one more hour than a night, at most one hour less than the window. */
  silenceAlertAfterHoursMin: 25,
  silenceAlertAfterHoursMax: 47,
});

const VAULT_DIMENSION: EstateAlertDimension = Object.freeze({
  name: 'VaultId',
  operator: 'Include',
  values: Object.freeze(['*']) as unknown as readonly ['*'],
});

interface AlertTarget<R> {
  readonly accountName: string;
  readonly actionGroupIds: readonly ResourceRef<R>[];
}

function logAlert<R>(
  name: string,
  severity: AlertSeverity,
  description: string,
  query: string,
  target: AlertTarget<R>,
): EstateLogAlertSpec<R> {
  const d = ESTATE_ALERT_DEFAULTS;
  return {
    name,
    displayName: name,
    description,
    enabled: true,
    severity,
    evaluationFrequency: d.evaluationFrequency,
    windowSize: d.windowSize,
    autoMitigate: true,
    query,
    timeAggregation: 'Count',
    operator: 'GreaterThan',
    threshold: 0,
    dimensions: [VAULT_DIMENSION],
    failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
    actionGroupIds: [...target.actionGroupIds],
  };
}

/**
 * The at-risk alert: one alert per vault whose latest run (within two days) found a machine out of
 * support or blocked; it resolves when a later run of that vault finds none, or two days after the
 * vault's last run row (the silence alert has fired by then).
 */
export function atRiskAlertSpec<R>(
  name: string,
  severity: AlertSeverity,
  target: AlertTarget<R>,
): AtRiskAlertSpec<R> {
  return logAlert(
    name,
    severity,
    `Fires, once per vault, when the latest run of the Site Recovery auto-update runbook of automation account ${target.accountName} on that vault found a machine whose Mobility agent is out of support or whose upgrade is blocked (retries exhausted, reinstall required, or another blocking reason); resolves when a later run of the vault finds none. The results list the machines.`,
    AT_RISK_ALERT_QUERY,
    target,
  );
}

/**
 * The silence alert: one alert per vault that sent a run row in the last two days but none for more
 * than `afterHours`; it resolves when the vault's next row arrives, or 48 h after its last row (the
 * bound: a vault removed on purpose, or a job stopped for good, stops alerting then).
 */
export function silenceAlertSpec<R>(
  name: string,
  severity: AlertSeverity,
  afterHours: number,
  target: AlertTarget<R>,
): SilenceAlertSpec<R> {
  const d = ESTATE_ALERT_DEFAULTS;
  return logAlert(
    name,
    severity,
    `Fires, once per vault, when the Site Recovery auto-update runbook of automation account ${target.accountName} sent no run row for a vault for more than ${afterHours} h although it did within the last ${d.windowHours} h (the job did not run, failed before the vault, or its rows were refused). Resolves when the vault's next row arrives, or ${d.windowHours} h after its last row: a vault removed on purpose stops alerting then.`,
    silenceAlertQuery(afterHours),
    target,
  );
}
