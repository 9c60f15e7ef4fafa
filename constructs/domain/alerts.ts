import { checkResourceId } from './naming';
import type { ResourceRef, RuleSet } from './rules';
import type { Tags } from './shared';

/** How often a metric alert rule is evaluated (ISO 8601), as Azure Monitor accepts it. */
export type AlertEvaluationFrequency = 'PT1M' | 'PT5M' | 'PT15M' | 'PT30M' | 'PT1H';
/** The period a metric alert rule looks back over (ISO 8601), as Azure Monitor accepts it. */
export type AlertWindowSize = AlertEvaluationFrequency | 'PT6H' | 'PT12H' | 'P1D';
/** Azure Monitor alert severity: 0 Critical, 1 Error, 2 Warning, 3 Informational, 4 Verbose. */
export type AlertSeverity = 0 | 1 | 2 | 3 | 4;

/** Evaluation frequencies Azure Monitor metric alerts accept, shortest first. */
export const ALERT_EVALUATION_FREQUENCIES: readonly AlertEvaluationFrequency[] = [
  'PT1M',
  'PT5M',
  'PT15M',
  'PT30M',
  'PT1H',
];
/** Window sizes Azure Monitor metric alerts accept, shortest first. */
export const ALERT_WINDOW_SIZES: readonly AlertWindowSize[] = [
  ...ALERT_EVALUATION_FREQUENCIES,
  'PT6H',
  'PT12H',
  'P1D',
];

/**
 * Alerting on the automation account: an Azure Monitor metric alert that fires when a job of the
 * auto-update runbook ends `Failed`. The library never creates an action group: give the ids of
 * those you own (Azure Verified Modules' rule: take a feature's dependencies, don't make them).
 */
export interface AutomationAlertsProps<R = never> {
  /**
   * Create the metric alert rule on failed jobs of the runbook. `false` creates no alert rule.
   * @default true
   */
  readonly failedJobAlertEnabled?: boolean;
  /**
   * The alert rule's name: 1-260 characters, none of `* # & + : < > ? @ % { } \ /`, not ending with a space or period.
   * @default `<automation account name>-runbook-failed`
   */
  readonly failedJobAlertName?: string;
  /**
   * Action groups to notify, as resource ids (`/subscriptions/{guid}/resourceGroups/{name}/providers/Microsoft.Insights/actionGroups/{name}`),
   * each once (compared case-insensitively, as ARM returns `microsoft.insights`). Each entry may be
   * a literal or a reference (`actionGroup.id`): a literal is checked now, a reference when it is
   * known (Pulumi) or by Azure at deploy (Terraform).
   * @default none: the alert fires in Azure Monitor (portal, Alerts API) and notifies no one
   */
  readonly actionGroupIds?: readonly ResourceRef<R>[];
  /**
   * Severity of the fired alert, 0 (Critical) to 4 (Verbose).
   * @default 1 (Error): the nightly update did not run to the end
   */
  readonly severity?: AlertSeverity;
  /**
   * How often the rule is evaluated: PT1M, PT5M, PT15M, PT30M or PT1H.
   * @default 'PT5M'
   */
  readonly evaluationFrequency?: AlertEvaluationFrequency;
  /**
   * The period each evaluation looks back over, at least `evaluationFrequency`: PT1M, PT5M, PT15M,
   * PT30M, PT1H, PT6H, PT12H or P1D.
   * @default 'PT5M'
   */
  readonly windowSize?: AlertWindowSize;
  /**
   * Resolve the fired alert by itself once a window has no failed job (Azure Monitor's
   * `autoMitigate`). A failed nightly run is an event, not a state that clears: by default the alert
   * stays fired until someone closes it.
   * @default false
   */
  readonly autoMitigationEnabled?: boolean;
}

/** One dimension filter of a metric criterion. */
export interface MetricDimensionSpec {
  readonly name: string;
  readonly operator: 'Include';
  readonly values: readonly string[];
}

/** A validated metric alert rule with every default applied. */
export interface MetricAlertSpec<R = never> {
  readonly name: string;
  readonly description: string;
  /** Metric alert rules are global resources. */
  readonly location: 'global';
  readonly enabled: true;
  readonly severity: AlertSeverity;
  readonly evaluationFrequency: AlertEvaluationFrequency;
  readonly windowSize: AlertWindowSize;
  readonly autoMitigate: boolean;
  /** The one static-threshold criterion. */
  readonly criterion: {
    /** Criterion name; azurerm names its criteria `Metric1`, `Metric2`, ..., so both engines use that. */
    readonly name: 'Metric1';
    readonly metricNamespace: 'Microsoft.Automation/automationAccounts';
    readonly metricName: 'TotalJob';
    readonly aggregation: 'Total';
    readonly operator: 'GreaterThan';
    readonly threshold: 0;
    readonly dimensions: readonly MetricDimensionSpec[];
  };
  /** Action group resource ids, as given. */
  readonly actionGroupIds: readonly ResourceRef<R>[];
  readonly tags: Tags;
}

/**
 * Azure Monitor facts about the `TotalJob` metric of `Microsoft.Automation/automationAccounts`
 * (Learn, "Supported metrics for Microsoft.Automation/automationAccounts"): a count, aggregations
 * Total/Average/Maximum/Minimum/Count, time grain PT1M, dimensions `Runbook` (shown as "Runbook Name"
 * in the portal; the display name is not accepted as a dimension name) and `Status` (the job status,
 * for example `Completed`, `Failed`, `Suspended`, `Stopped`).
 */
export const TOTAL_JOB_METRIC = Object.freeze({
  namespace: 'Microsoft.Automation/automationAccounts',
  name: 'TotalJob',
  runbookDimension: 'Runbook',
  statusDimension: 'Status',
  failedStatus: 'Failed',
} as const);

export const ALERT_DEFAULTS = Object.freeze({
  failedJobAlertEnabled: true,
  failedJobAlertNameSuffix: '-runbook-failed',
  severity: 1 as AlertSeverity,
  evaluationFrequency: 'PT5M' as AlertEvaluationFrequency,
  windowSize: 'PT5M' as AlertWindowSize,
  autoMitigationEnabled: false,
});

/** Every prop of {@link AutomationAlertsProps}, for the unknown-prop check. */
export const AUTOMATION_ALERTS_PROP_NAMES = [
  'failedJobAlertEnabled',
  'failedJobAlertName',
  'actionGroupIds',
  'severity',
  'evaluationFrequency',
  'windowSize',
  'autoMitigationEnabled',
] as const;

/** Metric alert rule names: 1-260 characters, none of `*#&+:<>?@%{}\/` or control characters, not ending with a space or period. */
// eslint-disable-next-line no-control-regex
export const METRIC_ALERT_NAME = /^[^*#&+:<>?@%{}\\/\u0000-\u001f]{0,259}[^*#&+:<>?@%{}\\/\u0000-\u001f .]$/;

const duration = (value: string): number => {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(value);
  return m ? Number(m[1] ?? 0) * 1440 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) : NaN;
};

/** An action group id's value check (the one place it is written). */
function checkActionGroupId(rules: RuleSet, prop: string, id: unknown): boolean {
  return typeof id === 'string'
    ? checkResourceId(rules, prop, id, 'Microsoft.Insights/actionGroups')
    : rules.check(false, prop, id, 'must be a Microsoft.Insights/actionGroups resource id');
}

/**
 * Validates the `alerts` props of the automation account and returns the failed-job alert rule, or
 * undefined when it is switched off. Rule violations are reported under `alerts.*`. The props are
 * unknown until checked: a value that fails its check is reported and never read.
 */
export function resolveFailedJobAlert<R = never>(
  rules: RuleSet,
  props: unknown,
  target: { readonly accountName: string; readonly runbookName: string; readonly tags: Tags },
): MetricAlertSpec<R> | undefined {
  return resolveAutomationAlerts<R>(rules, props, target).failedJobAlert;
}

/**
 * {@link resolveFailedJobAlert}, with the validated action groups also returned on their own: other
 * alerts of the automation (the estate's at-risk alert) route to the same groups, even when the
 * failed-job alert is switched off.
 */
export function resolveAutomationAlerts<R = never>(
  rules: RuleSet,
  props: unknown,
  target: { readonly accountName: string; readonly runbookName: string; readonly tags: Tags },
): { readonly failedJobAlert?: MetricAlertSpec<R>; readonly actionGroupIds: readonly ResourceRef<R>[] } {
  const d = ALERT_DEFAULTS;
  const given = rules.object('alerts', props, AUTOMATION_ALERTS_PROP_NAMES, 'an object of alert settings');
  if (props !== undefined && given === undefined) return { actionGroupIds: [] };
  const p = given ?? {};
  const r = rules.child('alerts');
  const enabled = r.bool('failedJobAlertEnabled', p.failedJobAlertEnabled) ?? d.failedJobAlertEnabled;
  const autoMitigate = r.bool('autoMitigationEnabled', p.autoMitigationEnabled) ?? d.autoMitigationEnabled;
  const nameOk = r.check(
    p.failedJobAlertName === undefined ||
      (typeof p.failedJobAlertName === 'string' && METRIC_ALERT_NAME.test(p.failedJobAlertName)),
    'failedJobAlertName',
    p.failedJobAlertName,
    'an alert rule name has 1-260 characters, none of * # & + : < > ? @ % { } \\ / or control characters, and does not end with a space or period',
  );
  const name =
    nameOk && typeof p.failedJobAlertName === 'string'
      ? p.failedJobAlertName
      : `${target.accountName}${d.failedJobAlertNameSuffix}`;
  const severity = (r.integer(
    'severity',
    p.severity,
    0,
    4,
    '(0 Critical, 1 Error, 2 Warning, 3 Informational, 4 Verbose)',
  ) ?? d.severity) as AlertSeverity;
  const frequency = r.choice('evaluationFrequency', p.evaluationFrequency, ALERT_EVALUATION_FREQUENCIES);
  const window = r.choice('windowSize', p.windowSize, ALERT_WINDOW_SIZES);
  const frequencyOk = frequency !== undefined || p.evaluationFrequency === undefined;
  const windowOk = window !== undefined || p.windowSize === undefined;
  const evaluationFrequency = frequency ?? d.evaluationFrequency;
  const windowSize = window ?? d.windowSize;
  if (frequencyOk && windowOk)
    r.check(
      duration(windowSize) >= duration(evaluationFrequency),
      'windowSize',
      windowSize,
      `must be at least the evaluation frequency (${evaluationFrequency})`,
    );

  const ids =
    r.list('actionGroupIds', p.actionGroupIds, 'Microsoft.Insights/actionGroups resource ids') ?? [];
  const actionGroupIds: ResourceRef<R>[] = [];
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    const prop = `actionGroupIds[${i}]`;
    const carried =
      id === undefined ? checkActionGroupId(r, prop, id) && undefined : r.ref(prop, id, checkActionGroupId);
    if (carried === undefined) return;
    // A reference is carried through; only literals can be compared for duplicates.
    if (typeof carried !== 'string' || r.isDeployTime(carried)) {
      actionGroupIds.push(carried as ResourceRef<R>);
      return;
    }
    const id2 = carried;
    const key = id2.replace(/\/+$/, '').toLowerCase();
    if (
      !r.check(
        !seen.has(key),
        prop,
        id2,
        'each action group may appear once (ids compare case-insensitively)',
      )
    )
      return;
    seen.add(key);
    actionGroupIds.push(id2);
  });
  if (!enabled) return { actionGroupIds };
  const failedJobAlert: MetricAlertSpec<R> = {
    name,
    description: `Fires when a job of runbook ${target.runbookName} in automation account ${target.accountName} ends Failed: the nightly Site Recovery Mobility-service auto-update did not run to the end. Open the job in the account for its output.`,
    location: 'global',
    enabled: true,
    severity,
    evaluationFrequency,
    windowSize,
    autoMitigate,
    criterion: {
      name: 'Metric1',
      metricNamespace: TOTAL_JOB_METRIC.namespace,
      metricName: TOTAL_JOB_METRIC.name,
      aggregation: 'Total',
      operator: 'GreaterThan',
      threshold: 0,
      dimensions: [
        { name: TOTAL_JOB_METRIC.runbookDimension, operator: 'Include', values: [target.runbookName] },
        {
          name: TOTAL_JOB_METRIC.statusDimension,
          operator: 'Include',
          values: [TOTAL_JOB_METRIC.failedStatus],
        },
      ],
    },
    actionGroupIds,
    tags: { ...target.tags },
  };
  return { failedJobAlert, actionGroupIds };
}
