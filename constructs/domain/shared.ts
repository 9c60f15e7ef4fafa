import { checkResourceId } from './naming';
import type { RuleSet } from './rules';

/** Azure tags: name to value. */
export type Tags = Readonly<Record<string, string>>;

/** A management lock on a resource (Azure Verified Modules `lock` interface). */
export interface LockProps {
  /** `CanNotDelete` stops deletion; `ReadOnly` also stops changes; `None` places no lock. */
  readonly kind: 'CanNotDelete' | 'ReadOnly' | 'None';
  /**
   * The lock's name.
   * @default `lock-<resource name>`
   */
  readonly name?: string;
}

/** A validated lock. */
export interface LockSpec {
  readonly kind: 'CanNotDelete' | 'ReadOnly';
  readonly name: string;
}

/**
 * A diagnostic setting (Azure Verified Modules `diagnosticSettings` interface). The library never
 * creates a destination: give the id of a workspace, storage account or event hub rule you own.
 */
export interface DiagnosticSettingProps {
  /**
   * The setting's name.
   * @default `diag-<resource name>`, with `-<n>` appended for the second and later settings
   */
  readonly name?: string;
  /**
   * A Log Analytics workspace to send logs to.
   * @default no workspace
   */
  readonly workspaceResourceId?: string;
  /**
   * A storage account to archive logs to.
   * @default no storage account
   */
  readonly storageAccountResourceId?: string;
  /**
   * An event hub namespace authorization rule to stream logs through.
   * @default no event hub
   */
  readonly eventHubAuthorizationRuleResourceId?: string;
  /**
   * The event hub name, with `eventHubAuthorizationRuleResourceId`.
   * @default the namespace's default hub
   */
  readonly eventHubName?: string;
  /**
   * Log categories to send.
   * @default the resource's defaults: `JobLogs` and `JobStreams` for the automation account; none for the vault, which uses `logCategoryGroups`
   */
  readonly logCategories?: readonly string[];
  /**
   * Log category groups to send.
   * @default `['allLogs']` for the vault; none for the automation account
   */
  readonly logCategoryGroups?: readonly string[];
  /**
   * Metric categories to send.
   * @default none
   */
  readonly metricCategories?: readonly string[];
  /**
   * How logs land in a workspace.
   * @default 'Dedicated' (resource-specific tables)
   */
  readonly logAnalyticsDestinationType?: 'Dedicated' | 'AzureDiagnostics';
}

/** A validated diagnostic setting with defaults applied. */
export interface DiagnosticSettingSpec {
  readonly name: string;
  readonly workspaceResourceId?: string;
  readonly storageAccountResourceId?: string;
  readonly eventHubAuthorizationRuleResourceId?: string;
  readonly eventHubName?: string;
  readonly logCategories: readonly string[];
  readonly logCategoryGroups: readonly string[];
  readonly metricCategories: readonly string[];
  readonly logAnalyticsDestinationType?: 'Dedicated' | 'AzureDiagnostics';
}

/** The defaults a resource gives its diagnostic settings. */
export interface DiagnosticDefaults {
  readonly logCategories: readonly string[];
  readonly logCategoryGroups: readonly string[];
}

export function resolveLock(
  rules: RuleSet,
  lock: LockProps | undefined,
  resourceName: string,
): LockSpec | undefined {
  if (lock === undefined) return undefined;
  rules.knownKeys('lock', lock, ['kind', 'name']);
  rules.oneOf('lock.kind', lock.kind, ['CanNotDelete', 'ReadOnly', 'None'] as const);
  rules.check(
    lock.name === undefined || (typeof lock.name === 'string' && /^[^<>*%&:\\?/+]{1,260}$/.test(lock.name)),
    'lock.name',
    lock.name,
    'a lock name has 1-260 characters and none of < > * % & : \\ ? / +',
  );
  if (lock.kind !== 'CanNotDelete' && lock.kind !== 'ReadOnly') return undefined;
  return { kind: lock.kind, name: lock.name ?? `lock-${resourceName}` };
}

function stringList(rules: RuleSet, prop: string, value: unknown): boolean {
  return rules.check(
    value === undefined ||
      (Array.isArray(value) && value.every((v) => typeof v === 'string' && v.length > 0)),
    prop,
    value,
    'must be a list of non-empty strings',
  );
}

export function resolveDiagnosticSettings(
  rules: RuleSet,
  settings: readonly DiagnosticSettingProps[] | undefined,
  resourceName: string,
  defaults: DiagnosticDefaults,
): DiagnosticSettingSpec[] {
  if (settings === undefined) return [];
  if (
    !rules.check(
      Array.isArray(settings),
      'diagnosticSettings',
      settings,
      'must be a list of diagnostic settings',
    )
  )
    return [];
  const names = new Set<string>();
  return settings.map((s, i) => {
    const r = rules.child(`diagnosticSettings[${i}]`);
    r.knownKeys('', s, [
      'name',
      'workspaceResourceId',
      'storageAccountResourceId',
      'eventHubAuthorizationRuleResourceId',
      'eventHubName',
      'logCategories',
      'logCategoryGroups',
      'metricCategories',
      'logAnalyticsDestinationType',
    ]);
    checkResourceId(
      r,
      'workspaceResourceId',
      s.workspaceResourceId,
      'Microsoft.OperationalInsights/workspaces',
    );
    checkResourceId(
      r,
      'storageAccountResourceId',
      s.storageAccountResourceId,
      'Microsoft.Storage/storageAccounts',
    );
    checkResourceId(
      r,
      'eventHubAuthorizationRuleResourceId',
      s.eventHubAuthorizationRuleResourceId,
      'Microsoft.EventHub/namespaces/authorizationRules',
    );
    r.check(
      s.workspaceResourceId !== undefined ||
        s.storageAccountResourceId !== undefined ||
        s.eventHubAuthorizationRuleResourceId !== undefined,
      'workspaceResourceId',
      undefined,
      'a diagnostic setting needs a destination: workspaceResourceId, storageAccountResourceId or eventHubAuthorizationRuleResourceId (this library never creates one)',
    );
    r.check(
      s.eventHubName === undefined || s.eventHubAuthorizationRuleResourceId !== undefined,
      'eventHubName',
      s.eventHubName,
      'is only allowed with eventHubAuthorizationRuleResourceId',
    );
    r.oneOf('logAnalyticsDestinationType', s.logAnalyticsDestinationType, [
      'Dedicated',
      'AzureDiagnostics',
    ] as const);
    stringList(r, 'logCategories', s.logCategories);
    stringList(r, 'logCategoryGroups', s.logCategoryGroups);
    stringList(r, 'metricCategories', s.metricCategories);
    const name = s.name ?? (i === 0 ? `diag-${resourceName}` : `diag-${resourceName}-${i + 1}`);
    r.check(
      /^[^<>*%&:\\?/+]{1,260}$/.test(name),
      'name',
      name,
      'a diagnostic setting name has 1-260 characters and none of < > * % & : \\ ? / +',
    );
    r.check(!names.has(name), 'name', name, 'diagnostic setting names must be unique on a resource');
    names.add(name);
    const explicit = s.logCategories !== undefined || s.logCategoryGroups !== undefined;
    const spec: DiagnosticSettingSpec = {
      name,
      workspaceResourceId: s.workspaceResourceId,
      storageAccountResourceId: s.storageAccountResourceId,
      eventHubAuthorizationRuleResourceId: s.eventHubAuthorizationRuleResourceId,
      eventHubName: s.eventHubName,
      logCategories: [...(explicit ? (s.logCategories ?? []) : defaults.logCategories)],
      logCategoryGroups: [...(explicit ? (s.logCategoryGroups ?? []) : defaults.logCategoryGroups)],
      metricCategories: [...(s.metricCategories ?? [])],
      logAnalyticsDestinationType:
        s.workspaceResourceId !== undefined ? (s.logAnalyticsDestinationType ?? 'Dedicated') : undefined,
    };
    return spec;
  });
}
