import { runbookJobParameters } from './runbook-parameters';
import type { AlertSeverity } from './alerts';
import { METRIC_ALERT_NAME } from './alerts';
import {
  atRiskAlertSpec,
  ESTATE_ALERT_DEFAULTS,
  silenceAlertSpec,
  type AtRiskAlertSpec,
  type SilenceAlertSpec,
} from './estate-alerts';
import { checkName, checkResourceId, deriveName, parseResourceId, uuidV5 } from './naming';
import { normalizeRegion, regionInfo } from './regions';
import type { ResourceRef, RuleSet } from './rules';
import type { Tags } from './shared';
import { REGION_LITERAL } from './vault';

// Seeing the estate (issue 26): the runbook sends its nightly judgement of every agent to two custom
// Log Analytics tables through the Logs Ingestion API; the constructs declare where the rows go (the
// tables, a data collection endpoint and rule), the identity's right to send them, a workbook to look
// at and two alerts (estate-alerts.ts). Everything engine-neutral lives here: the tables' schemas (as data, also read by
// the runbook's tests), the KQL, the workbook's JSON, names and defaults. The adapters only translate.

/** A column type, in the vocabulary of Kusto (`datetime`, `string`, `int`, `real`). */
export type EstateColumnType = 'datetime' | 'string' | 'int' | 'real';

/** One column of a custom table, and of the stream that feeds it (same name, same type). */
export interface EstateColumn {
  readonly name: string;
  readonly type: EstateColumnType;
  readonly description: string;
}

/** One custom table and its stream: one row per machine per night, or one per vault per night. */
export interface EstateTable {
  /** The table's name (custom tables end in `_CL`). */
  readonly name: 'AsrMobilityAgent_CL' | 'AsrMobilityRun_CL';
  /** The stream the runbook posts to: `Custom-<table>`. */
  readonly stream: 'Custom-AsrMobilityAgent_CL' | 'Custom-AsrMobilityRun_CL';
  readonly description: string;
  readonly columns: readonly EstateColumn[];
}

const column = (name: string, type: EstateColumnType, description: string): EstateColumn =>
  Object.freeze({ name, type, description });

/**
 * The two custom tables the runbook fills, as data: the constructs declare them (tables, stream
 * declarations), the tests check the workbook's and the alert's KQL and the runbook's rows against
 * them, and test/fixtures/estate-tables.json carries the same data to the PowerShell side.
 */
export const ESTATE_TABLES: readonly [EstateTable, EstateTable] = Object.freeze([
  Object.freeze({
    name: 'AsrMobilityAgent_CL',
    stream: 'Custom-AsrMobilityAgent_CL',
    description:
      'One row per protected machine per night: the Mobility agent as the auto-update runbook judged it.',
    columns: Object.freeze([
      column(
        'TimeGenerated',
        'datetime',
        "The job's start time (UTC), the same on every row the job sends: not when this machine was judged.",
      ),
      column('RunId', 'string', 'The Automation job id of the night run.'),
      column('VaultId', 'string', 'Resource id of the Recovery Services vault, in lower case.'),
      column('Machine', 'string', 'The protected item (machine) name.'),
      column('Provider', 'string', 'The replication provider: A2A or InMageRcm.'),
      column('AgentVersion', 'string', 'The Mobility agent version installed.'),
      column(
        'ExpiryDate',
        'datetime',
        'When support for the installed version ends, when Site Recovery says.',
      ),
      column(
        'Status',
        'string',
        'OutOfSupport, Blocked, SupportExpiring, NeedsReboot, UpdatePending, Current or Unknown.',
      ),
      column('Reasons', 'string', "Comma-separated reason codes; '' when none."),
    ]),
  }),
  Object.freeze({
    name: 'AsrMobilityRun_CL',
    stream: 'Custom-AsrMobilityRun_CL',
    description: 'One row per vault per night: what the auto-update runbook did to its container mappings.',
    columns: Object.freeze([
      column(
        'TimeGenerated',
        'datetime',
        "The job's start time (UTC), the same on every row the job sends: not when this vault was finished.",
      ),
      column('RunId', 'string', 'The Automation job id of the night run.'),
      column('VaultId', 'string', 'Resource id of the Recovery Services vault, in lower case.'),
      column('MappingsListed', 'int', 'Container mappings found.'),
      column('MappingsChanged', 'int', 'Container mappings the runbook changed.'),
      column('MappingsFailed', 'int', 'Container mappings the runbook failed to change.'),
      column('Outcome', 'string', "The vault's outcome, as in the runbook's summary."),
      column('DurationSeconds', 'real', 'Time spent on the vault, in seconds.'),
    ]),
  }),
] as const);

/** Column types as the Log Analytics Tables API writes them (`dateTime`). */
export const TABLE_COLUMN_TYPES: Readonly<Record<EstateColumnType, string>> = Object.freeze({
  datetime: 'dateTime',
  string: 'string',
  int: 'int',
  real: 'real',
});

/** The built-in role that may send rows to a data collection rule: Monitoring Metrics Publisher. */
export const MONITORING_METRICS_PUBLISHER_ROLE = Object.freeze({
  name: 'Monitoring Metrics Publisher',
  guid: '3913510d-42f4-4e42-8a64-420c390055eb',
});

/** The ARM type a workspace id must have. */
export const LOG_ANALYTICS_WORKSPACE_TYPE = 'Microsoft.OperationalInsights/workspaces';

// ------------------------------------------------------------------------------------------ KQL

/**
 * The workbook's parameters, as the queries name them: the workbook replaces `{Subscriptions}` by the
 * chosen subscription ids, quoted and comma-separated (or `'*'` for all), `{SelectedVault}` by the
 * `VaultId` of the row chosen in the vaults grid, and applies `TimeRange` as every query's time range.
 */
export const WORKBOOK_PARAMETERS = Object.freeze({
  timeRange: 'TimeRange',
  subscriptions: 'Subscriptions',
  selectedVault: 'SelectedVault',
  /** The time range a workbook opens with, in days. */
  defaultTimeRangeDays: 7,
  /** What the time range picker offers, in days. */
  timeRangeDays: Object.freeze([2, 7, 14, 30, 90]),
  /** A vault whose last run row is older than this is listed as not reconciled. */
  notReconciledAfterHours: 36,
});

/** A vault id's parts, as the workbook shows them (ids are lower case: the runbook normalizes them). */
const VAULT_PARTS_KQL = [
  "VaultName = tostring(split(VaultId, '/')[8])",
  "ResourceGroup = tostring(split(VaultId, '/')[4])",
  "Subscription = tostring(split(VaultId, '/')[2])",
].join(', ');

/** Rows of the chosen subscriptions only (`'*'`: all). */
const SUBSCRIPTION_FILTER_KQL = `| where '*' in ({${WORKBOOK_PARAMETERS.subscriptions}}) or tostring(split(VaultId, '/')[2]) in ({${WORKBOOK_PARAMETERS.subscriptions}})`;

/** Each vault's latest run in the time range, from the run table (one row per vault per job). */
const LATEST_RUNS_KQL = [
  'let latestRun = AsrMobilityRun_CL',
  `    ${SUBSCRIPTION_FILTER_KQL}`,
  '    | summarize arg_max(TimeGenerated, RunId) by VaultId',
  '    | project VaultId, RunId;',
].join('\n');

/** The machines of each vault's latest run (a vault whose machines are all gone has none). */
const LATEST_AGENTS_KQL = [
  LATEST_RUNS_KQL,
  'AsrMobilityAgent_CL',
  '| join kind=inner (latestRun) on VaultId, RunId',
].join('\n');

/** One query of the workbook: what a view shows, its KQL and how the workbook draws it. */
export interface EstateQuery {
  /** Stable item name in the workbook. */
  readonly name: string;
  readonly title: string;
  /** What the view answers, in the docs' words. */
  readonly description: string;
  /** KQL with the workbook's parameters in braces (see {@link WORKBOOK_PARAMETERS}). */
  readonly query: string;
  /** The workbook's visualization. */
  readonly visualization: 'table' | 'barchart' | 'timechart' | 'piechart';
  /** A row chosen in the grid sets this parameter to the row's `VaultId`. */
  readonly exportsVaultAs?: 'SelectedVault';
  /** The view shows only once this parameter has a value. */
  readonly shownWhen?: 'SelectedVault';
}

/** The workbook's views, in the order they appear. Every one is keyed by vault id, never by name. */
export const ESTATE_WORKBOOK_QUERIES: readonly EstateQuery[] = Object.freeze([
  {
    name: 'vaults',
    title: 'Vaults: latest run and machines by status (select a vault to see its machines)',
    description:
      'One row per vault id, with its name, resource group and subscription, the latest run in the time range, its outcome and how many machines of that run are in each status.',
    query: [
      'let runs = AsrMobilityRun_CL',
      `    ${SUBSCRIPTION_FILTER_KQL}`,
      '    | summarize arg_max(TimeGenerated, *) by VaultId;',
      'let machines = AsrMobilityAgent_CL',
      '    | join kind=inner (runs | project VaultId, RunId) on VaultId, RunId',
      "    | summarize Machines = count(), OutOfSupport = countif(Status == 'OutOfSupport'), Blocked = countif(Status == 'Blocked'), SupportExpiring = countif(Status == 'SupportExpiring') by VaultId;",
      'runs',
      '| join kind=leftouter (machines) on VaultId',
      `| extend ${VAULT_PARTS_KQL}`,
      '| project VaultName, ResourceGroup, Subscription, LastRun = TimeGenerated, Outcome, Machines = coalesce(Machines, long(0)), OutOfSupport = coalesce(OutOfSupport, long(0)), Blocked = coalesce(Blocked, long(0)), SupportExpiring = coalesce(SupportExpiring, long(0)), MappingsFailed, VaultId',
      '| order by OutOfSupport desc, Blocked desc, VaultName asc, VaultId asc',
    ].join('\n'),
    visualization: 'table',
    exportsVaultAs: 'SelectedVault',
  },
  {
    name: 'machines-of-vault',
    title: 'Machines of the selected vault (latest run)',
    description: "The machines of the vault chosen in the vaults grid, from that vault's latest run.",
    query: [
      'let latestRun = AsrMobilityRun_CL',
      `    | where VaultId == '{${WORKBOOK_PARAMETERS.selectedVault}}'`,
      '    | summarize arg_max(TimeGenerated, RunId) by VaultId',
      '    | project VaultId, RunId;',
      'AsrMobilityAgent_CL',
      `| where VaultId == '{${WORKBOOK_PARAMETERS.selectedVault}}'`,
      '| join kind=inner (latestRun) on VaultId, RunId',
      "| extend Rank = case(Status == 'OutOfSupport', 0, Status == 'Blocked', 1, Status == 'SupportExpiring', 2, 3)",
      '| project Machine, Provider, AgentVersion, ExpiryDate, Status, Reasons, Rank',
      '| order by Rank asc, ExpiryDate asc, Machine asc',
      '| project-away Rank',
    ].join('\n'),
    visualization: 'table',
    shownWhen: 'SelectedVault',
  },
  {
    name: 'vaults-not-reconciled',
    title: `Vaults not reconciled in the last ${WORKBOOK_PARAMETERS.notReconciledAfterHours} h`,
    description: `Every vault whose latest run row in the time range is older than ${WORKBOOK_PARAMETERS.notReconciledAfterHours} h, oldest first: the job did not run for it, failed before it, or its rows were refused. A vault silent for longer than the time range is not listed: widen the range.`,
    query: [
      'AsrMobilityRun_CL',
      SUBSCRIPTION_FILTER_KQL,
      '| summarize arg_max(TimeGenerated, Outcome, RunId) by VaultId',
      `| where TimeGenerated < ago(${WORKBOOK_PARAMETERS.notReconciledAfterHours}h)`,
      `| extend ${VAULT_PARTS_KQL}`,
      '| project VaultName, ResourceGroup, Subscription, LastRun = TimeGenerated, HoursSince = round((now() - TimeGenerated) / 1h, 1), LastOutcome = Outcome, RunId, VaultId',
      '| order by LastRun asc, VaultId asc',
    ].join('\n'),
    visualization: 'table',
    exportsVaultAs: 'SelectedVault',
  },
  {
    name: 'machines-at-risk',
    title: 'Machines out of support, expiring within 30 days, or blocked (latest run of each vault)',
    description:
      'Every machine whose agent is out of support, loses support within 30 days, or cannot be upgraded, with its vault and the reasons the runbook found.',
    query: [
      LATEST_AGENTS_KQL,
      "| where Status in ('OutOfSupport', 'Blocked', 'SupportExpiring') or ExpiryDate < now() + 30d",
      "| extend Rank = case(Status == 'OutOfSupport', 0, Status == 'Blocked', 1, 2)",
      `| extend ${VAULT_PARTS_KQL}`,
      '| project VaultName, ResourceGroup, Subscription, Machine, Provider, AgentVersion, ExpiryDate, Status, Reasons, VaultId, Rank',
      '| order by Rank asc, ExpiryDate asc, VaultId asc, Machine asc',
      '| project-away Rank',
    ].join('\n'),
    visualization: 'table',
  },
  {
    name: 'version-distribution',
    title: 'Agent versions (latest run of each vault)',
    description: 'How many machines run each agent version, per provider.',
    query: [
      LATEST_AGENTS_KQL,
      '| summarize Machines = count() by Provider, AgentVersion',
      '| order by Provider asc, Machines desc',
    ].join('\n'),
    visualization: 'barchart',
  },
  {
    name: 'status-trend',
    title: 'Machines by status, day by day',
    description: 'The number of machines in each status, day by day, over the time range.',
    query: [
      'AsrMobilityAgent_CL',
      SUBSCRIPTION_FILTER_KQL,
      "| summarize Machines = dcount(strcat(VaultId, '|', Machine)) by bin(TimeGenerated, 1d), Status",
      '| order by TimeGenerated asc',
    ].join('\n'),
    visualization: 'timechart',
  },
]);

/** The subscriptions parameter's choices: the subscriptions of the vaults that sent rows in the time range. */
export const SUBSCRIPTIONS_PARAMETER_QUERY = [
  'AsrMobilityRun_CL',
  "| summarize Vaults = dcount(VaultId) by Subscription = tostring(split(VaultId, '/')[2])",
  "| project Subscription, Label = strcat(Subscription, ' (', Vaults, ' vaults)')",
  '| order by Subscription asc',
].join('\n');

// ------------------------------------------------------------------------------------------ workbook

/** The workbook format's version and the data source of every query item. */
export const WORKBOOK_FORMAT = Object.freeze({
  version: 'Notebook/1.0',
  queryItemType: 3,
  textItemType: 1,
  parametersItemType: 9,
  queryItemVersion: 'KqlItem/1.0',
  parameterItemVersion: 'KqlParameterItem/1.0',
  /** Parameter type 2: drop-down; 4: time range picker. */
  dropDownParameterType: 2,
  timeRangeParameterType: 4,
  /** Query type 0: logs (KQL). */
  logsQueryType: 0,
  resourceType: 'microsoft.operationalinsights/workspaces',
  schema: 'https://github.com/Microsoft/Application-Insights-Workbooks/blob/master/schema/workbook.json',
});

const DAY_MS = 86400000;

/**
 * The workbook's content (`serializedData`), for the workspace its queries read. The id is placed
 * as given, so an engine may pass its own reference (a token in cdktf; Pulumi calls this once the
 * id is known): the same id gives the same text.
 */
export function estateWorkbookSerializedData(workspaceResourceId: string): string {
  const f = WORKBOOK_FORMAT;
  const p = WORKBOOK_PARAMETERS;
  const timeContext = { durationMs: p.defaultTimeRangeDays * DAY_MS };
  return JSON.stringify({
    version: f.version,
    items: [
      {
        type: f.textItemType,
        content: {
          json: [
            '## Site Recovery Mobility agents',
            'What the nightly auto-update runbook found on every protected machine (table `AsrMobilityAgent_CL`) and what it did on every vault (table `AsrMobilityRun_CL`). Vaults are keyed by resource id; every row of a job carries the job start time.',
          ].join('\n'),
        },
        name: 'introduction',
      },
      {
        type: f.parametersItemType,
        content: {
          version: f.parameterItemVersion,
          crossComponentResources: [workspaceResourceId],
          parameters: [
            {
              id: uuidV5(`workbook|estate|parameter|${p.timeRange}`),
              version: f.parameterItemVersion,
              name: p.timeRange,
              label: 'Time range',
              type: f.timeRangeParameterType,
              isRequired: true,
              value: timeContext,
              typeSettings: {
                selectableValues: p.timeRangeDays.map((d) => ({ durationMs: d * DAY_MS })),
                allowCustom: true,
              },
            },
            {
              id: uuidV5(`workbook|estate|parameter|${p.subscriptions}`),
              version: f.parameterItemVersion,
              name: p.subscriptions,
              label: 'Subscriptions',
              type: f.dropDownParameterType,
              isRequired: true,
              multiSelect: true,
              quote: "'",
              delimiter: ',',
              query: SUBSCRIPTIONS_PARAMETER_QUERY,
              crossComponentResources: [workspaceResourceId],
              typeSettings: {
                additionalResourceOptions: ['value::all'],
                selectAllValue: '*',
                showDefault: false,
              },
              defaultValue: 'value::all',
              timeContext,
              timeContextFromParameter: p.timeRange,
              queryType: f.logsQueryType,
              resourceType: f.resourceType,
            },
          ],
          style: 'pills',
          queryType: f.logsQueryType,
          resourceType: f.resourceType,
        },
        name: 'parameters',
      },
      ...ESTATE_WORKBOOK_QUERIES.map((q) => ({
        type: f.queryItemType,
        content: {
          version: f.queryItemVersion,
          query: q.query,
          size: 0,
          title: q.title,
          timeContext,
          timeContextFromParameter: p.timeRange,
          queryType: f.logsQueryType,
          resourceType: f.resourceType,
          crossComponentResources: [workspaceResourceId],
          visualization: q.visualization,
          ...(q.exportsVaultAs
            ? {
                exportFieldName: 'VaultId',
                exportParameterName: q.exportsVaultAs,
                exportDefaultValue: '',
              }
            : {}),
        },
        ...(q.shownWhen
          ? { conditionalVisibility: { parameterName: q.shownWhen, comparison: 'isNotEqualTo', value: '' } }
          : {}),
        name: q.name,
      })),
    ],
    fallbackResourceIds: [workspaceResourceId],
    $schema: f.schema,
  });
}

// ------------------------------------------------------------------------------------------ props, spec

/**
 * Seeing the estate: where the runbook sends its nightly rows (one per machine, one per vault), and
 * what shows them. Give a Log Analytics workspace you own (the library never creates one); the
 * constructs then declare the two custom tables in it, a data collection endpoint and rule (in the
 * automation account's resource group), the identity's `Monitoring Metrics Publisher` role on that
 * rule only, the runbook's `IngestionEndpoint` and `IngestionRuleId` parameters, a shared workbook
 * keyed by vault id, and two log alerts split per vault: one when a vault's latest run found a
 * machine out of support or blocked, one when a vault stopped sending rows.
 */
export interface EstateVisibilityProps<R = never> {
  /**
   * The Log Analytics workspace the rows go to, as a resource id
   * (`/subscriptions/{guid}/resourceGroups/{name}/providers/Microsoft.OperationalInsights/workspaces/{name}`):
   * a literal or a reference (`workspace.id`), checked now when a literal, when known (Pulumi) or
   * by Azure at deploy (Terraform).
   */
  readonly workspaceResourceId: ResourceRef<R>;
  /**
   * The workspace's region: the data collection endpoint and rule must be in it, and the alert rule
   * is placed there. A literal.
   * @default the automation account's location
   */
  readonly location?: string;
  /**
   * The data collection endpoint's name: 3-44 letters, digits and hyphens, starting and ending with a letter or digit.
   * @default `<automation account name>-estate-dce` (shortened to 44 characters)
   */
  readonly dataCollectionEndpointName?: string;
  /**
   * The data collection rule's name: 1-64 letters, digits, `-`, `_` and `.`, starting with a letter or digit and not ending with `.`.
   * @default `<automation account name>-estate-dcr`
   */
  readonly dataCollectionRuleName?: string;
  /**
   * The workbook's display name, 1-256 characters.
   * @default `Site Recovery Mobility agents (<automation account name>)`
   */
  readonly workbookDisplayName?: string;
  /**
   * Create the alert rule that fires, once per vault (a `VaultId` dimension), when the vault's latest
   * run (from `AsrMobilityRun_CL`, within the 2-day window) found a machine out of support or blocked,
   * routed to the failed-job alert's action groups (`alerts.actionGroupIds`). Each vault's alert
   * resolves when a later run of it finds none, or 48 h after its last run row.
   * @default true
   */
  readonly atRiskAlertEnabled?: boolean;
  /**
   * The alert rule's name: 1-260 characters, none of `* # & + : < > ? @ % { } \ /`, not ending with a space or period.
   * @default `<automation account name>-agents-at-risk`
   */
  readonly atRiskAlertName?: string;
  /**
   * Severity of the fired alert, 0 (Critical) to 4 (Verbose).
   * @default 2 (Warning): machines lose (or lost) support, nothing is down yet
   */
  readonly atRiskAlertSeverity?: AlertSeverity;
  /**
   * Create the alert rule that fires, once per vault (a `VaultId` dimension), when a vault that sent a
   * run row within the last 48 h sent none for more than `silenceAlertAfterHours`, routed to the same
   * action groups. Bounded: each vault's alert resolves when its next row arrives, or 48 h after its
   * last row (the alert's window), so a vault removed on purpose stops alerting 48 h after its last row.
   * @default true
   */
  readonly silenceAlertEnabled?: boolean;
  /**
   * The silence alert rule's name: 1-260 characters, none of `* # & + : < > ? @ % { } \ /`, not ending with a space or period.
   * @default `<automation account name>-vaults-silent`
   */
  readonly silenceAlertName?: string;
  /**
   * Severity of the fired silence alert, 0 (Critical) to 4 (Verbose).
   * @default 1 (Error): nothing reconciles the vault's agents any more
   */
  readonly silenceAlertSeverity?: AlertSeverity;
  /**
   * Hours without a run row before a vault counts as silent, an integer from 25 to 47: more than a
   * night (rows of a nightly job are stamped 24 h apart, with the job's start time) and less than the
   * alert's 48 h window.
   * @default 28: the 24 h cadence, up to 3 h of the job (rows are sent at its end) and 1 h of ingestion latency
   */
  readonly silenceAlertAfterHours?: number;
}

/** Every prop of {@link EstateVisibilityProps}, for the unknown-prop check. */
export const ESTATE_VISIBILITY_PROP_NAMES = [
  'workspaceResourceId',
  'location',
  'dataCollectionEndpointName',
  'dataCollectionRuleName',
  'workbookDisplayName',
  'atRiskAlertEnabled',
  'atRiskAlertName',
  'atRiskAlertSeverity',
  'silenceAlertEnabled',
  'silenceAlertName',
  'silenceAlertSeverity',
  'silenceAlertAfterHours',
] as const;

export const ESTATE_VISIBILITY_DEFAULTS = Object.freeze({
  dataCollectionEndpointSuffix: '-estate-dce',
  dataCollectionRuleSuffix: '-estate-dcr',
  atRiskAlertEnabled: true,
  atRiskAlertSuffix: '-agents-at-risk',
  atRiskAlertSeverity: 2 as AlertSeverity,
  /** Evaluated every hour: the nightly rows are seen within the hour they arrive. */
  atRiskAlertEvaluationFrequency: ESTATE_ALERT_DEFAULTS.evaluationFrequency,
  /** Two days: the latest night is always in the window. */
  atRiskAlertWindowSize: ESTATE_ALERT_DEFAULTS.windowSize,
  /** Stateful, per vault: fires once, resolves by itself on the first run of the vault that finds none. */
  atRiskAlertAutoMitigate: true,
  silenceAlertEnabled: true,
  silenceAlertSuffix: '-vaults-silent',
  silenceAlertSeverity: 1 as AlertSeverity,
  silenceAlertAfterHours: ESTATE_ALERT_DEFAULTS.silenceAlertAfterHours,
});

/** Data collection endpoint: 3-44 letters, digits and hyphens, starting and ending with a letter or digit. */
export const DATA_COLLECTION_ENDPOINT_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{1,42}[A-Za-z0-9]$/;
/** Data collection rule: 1-64 letters, digits, `-`, `_`, `.`, starting with a letter or digit, not ending with `.`. */
export const DATA_COLLECTION_RULE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_-])?$/;

/** The runbook's ingestion parameters, keyed in lower case as Automation stores them; both are references. */
export interface IngestionJobParameters {
  /** The data collection endpoint's logs ingestion URI. */
  readonly ingestionendpoint: '<dataCollectionEndpoint.logsIngestionEndpoint>';
  /** The data collection rule's immutable id (`dcr-` and 32 hex characters). */
  readonly ingestionruleid: '<dataCollectionRule.immutableId>';
}

/** A validated {@link EstateVisibilityProps} with every default applied. */
export interface EstateVisibilitySpec<R = never> {
  readonly workspaceResourceId: ResourceRef<R>;
  /** The workspace's region: the endpoint, rule and alert go there. */
  readonly location: string;
  readonly tables: readonly EstateTable[];
  readonly dataCollectionEndpoint: {
    readonly name: string;
    readonly description: string;
    /** Automation's cloud jobs reach the endpoint over the internet. */
    readonly publicNetworkAccessEnabled: true;
  };
  readonly dataCollectionRule: {
    readonly name: string;
    readonly description: string;
    /** The name of the rule's one Log Analytics destination. */
    readonly destinationName: 'workspace';
    /** Rows are stored as sent. */
    readonly transformKql: 'source';
  };
  /** The identity's role on the rule (and nothing wider). */
  readonly roleAssignment: {
    readonly name: string;
    readonly roleDefinitionGuid: string;
    readonly principalType: 'ServicePrincipal';
  };
  readonly workbook: {
    /** A name-based UUID. */
    readonly name: string;
    readonly displayName: string;
    readonly kind: 'shared';
    readonly category: 'workbook';
    /** Listed in Azure Monitor's workbook gallery. */
    readonly sourceId: 'azure monitor';
  };
  readonly atRiskAlert?: AtRiskAlertSpec<R>;
  readonly silenceAlert?: SilenceAlertSpec<R>;
  readonly jobParameters: IngestionJobParameters;
  readonly tags: Tags;
}

/** The workspace's resource group and name, from a literal id (engines apply it to a reference once known). */
export function workspaceIdParts(id: string): { readonly resourceGroupName: string; readonly name: string } {
  const parsed = parseResourceId(id);
  return { resourceGroupName: parsed?.resourceGroupName ?? '', name: parsed?.name ?? '' };
}

function checkWorkspaceId(rules: RuleSet, prop: string, value: unknown): boolean {
  return typeof value === 'string'
    ? checkResourceId(rules, prop, value, LOG_ANALYTICS_WORKSPACE_TYPE)
    : rules.check(false, prop, value, `must be a ${LOG_ANALYTICS_WORKSPACE_TYPE} resource id`);
}

/**
 * Validates `visibility` (reported under `visibility.*`) and returns its spec, or undefined when it
 * is not given: then nothing of it is declared.
 */
export function resolveEstateVisibility<R = never>(
  rules: RuleSet,
  props: unknown,
  target: {
    readonly accountName: string;
    readonly location: string;
    /** The key the automation's deterministic names derive from. */
    readonly nameKey: string;
    readonly tags: Tags;
    readonly actionGroupIds: readonly ResourceRef<R>[];
  },
): EstateVisibilitySpec<R> | undefined {
  const d = ESTATE_VISIBILITY_DEFAULTS;
  const p = rules.object(
    'visibility',
    props,
    ESTATE_VISIBILITY_PROP_NAMES,
    'an object of visibility settings',
  );
  if (p === undefined) return undefined;
  const r = rules.child('visibility');
  const workspaceGiven = r.check(
    p.workspaceResourceId !== undefined,
    'workspaceResourceId',
    p.workspaceResourceId,
    `is required: the ${LOG_ANALYTICS_WORKSPACE_TYPE} resource id the rows go to (this library never creates a workspace)`,
  );
  const workspace = workspaceGiven
    ? r.ref('workspaceResourceId', p.workspaceResourceId, checkWorkspaceId)
    : undefined;
  const location =
    r.literal('location', p.location, REGION_LITERAL) &&
    r.check(
      p.location === undefined || (typeof p.location === 'string' && regionInfo(p.location) !== undefined),
      'location',
      p.location,
      "must be an Azure region name such as westeurope (the workspace's region)",
    ) &&
    typeof p.location === 'string'
      ? normalizeRegion(p.location)
      : target.location;
  const name = (prop: string, pattern: RegExp, rule: string, fallback: string): string =>
    checkName(r, prop, p[prop], pattern, rule) && typeof p[prop] === 'string'
      ? (p[prop] as string)
      : fallback;
  const endpointName = name(
    'dataCollectionEndpointName',
    DATA_COLLECTION_ENDPOINT_NAME,
    'a data collection endpoint name has 3-44 characters: letters, digits and hyphens, starting and ending with a letter or digit',
    deriveName(target.accountName, d.dataCollectionEndpointSuffix, 44),
  );
  const ruleName = name(
    'dataCollectionRuleName',
    DATA_COLLECTION_RULE_NAME,
    'a data collection rule name has 1-64 characters: letters, digits, -, _ and ., starting with a letter or digit and not ending with .',
    deriveName(target.accountName, d.dataCollectionRuleSuffix, 64),
  );
  const displayName = workbookDisplayName(r, p.workbookDisplayName, target.accountName);
  const alerts = resolveEstateAlertSettings(r, p, name, target.accountName);
  if (workspace === undefined) return undefined;
  const roleGuid = MONITORING_METRICS_PUBLISHER_ROLE.guid;
  return {
    workspaceResourceId: workspace as ResourceRef<R>,
    location,
    tables: ESTATE_TABLES,
    dataCollectionEndpoint: {
      name: endpointName,
      description: `Logs ingestion endpoint of the Site Recovery auto-update runbook of automation account ${target.accountName}.`,
      publicNetworkAccessEnabled: true,
    },
    dataCollectionRule: {
      name: ruleName,
      description: `Rows of the Site Recovery auto-update runbook of automation account ${target.accountName}: ${ESTATE_TABLES.map((t) => t.name).join(' and ')}.`,
      destinationName: 'workspace',
      transformKql: 'source',
    },
    roleAssignment: {
      name: uuidV5(`${target.nameKey}|${ruleName.toLowerCase()}|data-collection-rule|${roleGuid}`),
      roleDefinitionGuid: roleGuid,
      principalType: 'ServicePrincipal',
    },
    workbook: {
      name: uuidV5(`${target.nameKey}|workbook|estate`),
      displayName,
      kind: 'shared',
      category: 'workbook',
      sourceId: 'azure monitor',
    },
    atRiskAlert: alerts.atRiskEnabled
      ? atRiskAlertSpec<R>(alerts.atRiskName, alerts.atRiskSeverity, target)
      : undefined,
    silenceAlert: alerts.silenceEnabled
      ? silenceAlertSpec<R>(alerts.silenceName, alerts.silenceSeverity, alerts.silenceAfterHours, target)
      : undefined,
    // The same two parameters in every scenario's jobs, as the runbook parameter table has them.
    jobParameters: runbookJobParameters('vault', {
      IngestionEndpoint: true,
      IngestionRuleId: true,
    }) as unknown as IngestionJobParameters,
    tags: { ...target.tags },
  };
}

/** The two estate alerts' settings (names, switches, severities, the silence threshold), validated. */
function resolveEstateAlertSettings(
  r: RuleSet,
  p: Record<string, unknown>,
  name: (prop: string, pattern: RegExp, rule: string, fallback: string) => string,
  accountName: string,
): {
  readonly atRiskEnabled: boolean;
  readonly atRiskName: string;
  readonly atRiskSeverity: AlertSeverity;
  readonly silenceEnabled: boolean;
  readonly silenceName: string;
  readonly silenceSeverity: AlertSeverity;
  readonly silenceAfterHours: number;
} {
  const d = ESTATE_VISIBILITY_DEFAULTS;
  const alertName = name(
    'atRiskAlertName',
    METRIC_ALERT_NAME,
    'an alert rule name has 1-260 characters, none of * # & + : < > ? @ % { } \\ / or control characters, and does not end with a space or period',
    `${accountName}${d.atRiskAlertSuffix}`,
  );
  const silenceName = name(
    'silenceAlertName',
    METRIC_ALERT_NAME,
    'an alert rule name has 1-260 characters, none of * # & + : < > ? @ % { } \\ / or control characters, and does not end with a space or period',
    `${accountName}${d.silenceAlertSuffix}`,
  );
  const alertEnabled = r.bool('atRiskAlertEnabled', p.atRiskAlertEnabled) ?? d.atRiskAlertEnabled;
  const severity = (r.integer(
    'atRiskAlertSeverity',
    p.atRiskAlertSeverity,
    0,
    4,
    '(0 Critical, 1 Error, 2 Warning, 3 Informational, 4 Verbose)',
  ) ?? d.atRiskAlertSeverity) as AlertSeverity;
  const silenceEnabled = r.bool('silenceAlertEnabled', p.silenceAlertEnabled) ?? d.silenceAlertEnabled;
  const silenceSeverity = (r.integer(
    'silenceAlertSeverity',
    p.silenceAlertSeverity,
    0,
    4,
    '(0 Critical, 1 Error, 2 Warning, 3 Informational, 4 Verbose)',
  ) ?? d.silenceAlertSeverity) as AlertSeverity;
  const silenceAfterHours =
    r.integer(
      'silenceAlertAfterHours',
      p.silenceAlertAfterHours,
      ESTATE_ALERT_DEFAULTS.silenceAlertAfterHoursMin,
      ESTATE_ALERT_DEFAULTS.silenceAlertAfterHoursMax,
      `hours (more than a night, less than the alert's ${ESTATE_ALERT_DEFAULTS.windowHours} h window)`,
    ) ?? d.silenceAlertAfterHours;
  return {
    atRiskEnabled: alertEnabled,
    atRiskName: alertName,
    atRiskSeverity: severity,
    silenceEnabled,
    silenceName,
    silenceSeverity,
    silenceAfterHours,
  };
}

/** The workbook's display name: as given (1-256 characters, not only spaces), else named after the account. */
function workbookDisplayName(rules: RuleSet, value: unknown, accountName: string): string {
  return rules.check(
    value === undefined || (typeof value === 'string' && value.trim().length > 0 && value.length <= 256),
    'workbookDisplayName',
    value,
    'a workbook display name has 1-256 characters, not only spaces',
  ) && typeof value === 'string'
    ? value
    : `Site Recovery Mobility agents (${accountName})`;
}
