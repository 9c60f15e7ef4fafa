import { checkName, checkResourceId } from './naming';
import type { ResourceRef, RuleSet } from './rules';

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
export interface DiagnosticSettingProps<R = never> {
  /**
   * The setting's name; a literal (it keys the construct id and logical name).
   * @default `diag-<resource name>`, with `-<n>` appended for the second and later settings
   */
  readonly name?: string;
  /**
   * A Log Analytics workspace to send logs to. This and the other destinations (storage account,
   * event hub rule, event hub name) accept a literal or a reference (`law.id`): a literal is
   * checked now, a reference when it is known (Pulumi) or by Azure at deploy (Terraform).
   * @default no workspace
   */
  readonly workspaceResourceId?: ResourceRef<R>;
  /**
   * A storage account to archive logs to.
   * @default no storage account
   */
  readonly storageAccountResourceId?: ResourceRef<R>;
  /**
   * An event hub namespace authorization rule to stream logs through.
   * @default no event hub
   */
  readonly eventHubAuthorizationRuleResourceId?: ResourceRef<R>;
  /**
   * The event hub name, with `eventHubAuthorizationRuleResourceId`.
   * @default the namespace's default hub
   */
  readonly eventHubName?: ResourceRef<R>;
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

/** A validated diagnostic setting with defaults applied; references are carried through untouched. */
export interface DiagnosticSettingSpec<R = never> {
  readonly name: string;
  readonly workspaceResourceId?: ResourceRef<R>;
  readonly storageAccountResourceId?: ResourceRef<R>;
  readonly eventHubAuthorizationRuleResourceId?: ResourceRef<R>;
  readonly eventHubName?: ResourceRef<R>;
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

const LOCK_KINDS = ['CanNotDelete', 'ReadOnly', 'None'] as const;
/** Lock and diagnostic setting names: 1-260 characters, none of `<>*%&:\?/+`. */
const SETTING_NAME = /^[^<>*%&:\\?/+]{1,260}$/;
const SETTING_NAME_RULE = 'has 1-260 characters and none of < > * % & : \\ ? / +';
/** Event hub: 1-256 letters, digits, `.`, `-`, `_`, starting and ending with a letter or digit. */
const EVENT_HUB_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,254}[A-Za-z0-9])?$/;

export function resolveLock(
  rules: RuleSet,
  lock: LockProps | undefined,
  resourceName: string,
): LockSpec | undefined {
  const l = rules.object('lock', lock, ['kind', 'name'], "an object such as { kind: 'CanNotDelete' }");
  if (!l) return undefined;
  const kind = rules.check(
    typeof l.kind === 'string' && (LOCK_KINDS as readonly string[]).includes(l.kind),
    'lock.kind',
    l.kind,
    `is required: one of ${LOCK_KINDS.map((k) => `'${k}'`).join(', ')}`,
  )
    ? (l.kind as (typeof LOCK_KINDS)[number])
    : undefined;
  const nameOk = checkName(rules, 'lock.name', l.name, SETTING_NAME, `a lock name ${SETTING_NAME_RULE}`);
  if (kind === undefined || kind === 'None' || !nameOk) return undefined;
  return { kind, name: typeof l.name === 'string' ? l.name : `lock-${resourceName}` };
}

/** An optional list of non-empty strings: the list when valid, else undefined (reported unless absent). */
function stringList(rules: RuleSet, prop: string, value: unknown): readonly string[] | undefined {
  const ok = rules.check(
    value === undefined ||
      (Array.isArray(value) && value.every((v) => typeof v === 'string' && v.length > 0)),
    prop,
    value,
    'must be a list of non-empty strings',
  );
  return ok ? (value as readonly string[] | undefined) : undefined;
}

const DIAGNOSTIC_SETTING_PROPS = [
  'name',
  'workspaceResourceId',
  'storageAccountResourceId',
  'eventHubAuthorizationRuleResourceId',
  'eventHubName',
  'logCategories',
  'logCategoryGroups',
  'metricCategories',
  'logAnalyticsDestinationType',
] as const;

/** An event hub name's value check. */
function checkEventHubName(rules: RuleSet, prop: string, value: unknown): boolean {
  return rules.check(
    value === undefined || (typeof value === 'string' && EVENT_HUB_NAME.test(value)),
    prop,
    value,
    'an event hub name has 1-256 characters: letters, digits, . - and _, starting and ending with a letter or digit',
  );
}

export function resolveDiagnosticSettings<R = never>(
  rules: RuleSet,
  settings: readonly DiagnosticSettingProps<R>[] | undefined,
  resourceName: string,
  defaults: DiagnosticDefaults,
): DiagnosticSettingSpec<R>[] {
  const list = rules.list('diagnosticSettings', settings, 'diagnostic settings');
  if (!list) return [];
  const names = new Set<string>();
  const specs: DiagnosticSettingSpec<R>[] = [];
  list.forEach((entry, i) => {
    const r = rules.child(`diagnosticSettings[${i}]`);
    const s = r.object('', entry, DIAGNOSTIC_SETTING_PROPS, 'a diagnostic setting (an object)');
    if (!s) return;
    const resourceId = (prop: string, type: string) =>
      r.ref(prop, s[prop], (rr, pp, v) => checkResourceId(rr, pp, v, type)) as ResourceRef<R> | undefined;
    const workspaceResourceId = resourceId('workspaceResourceId', 'Microsoft.OperationalInsights/workspaces');
    const storageAccountResourceId = resourceId(
      'storageAccountResourceId',
      'Microsoft.Storage/storageAccounts',
    );
    const eventHubAuthorizationRuleResourceId = resourceId(
      'eventHubAuthorizationRuleResourceId',
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
    const eventHubName = r.ref('eventHubName', s.eventHubName, checkEventHubName) as
      ResourceRef<R> | undefined;
    r.check(
      s.eventHubName === undefined || s.eventHubAuthorizationRuleResourceId !== undefined,
      'eventHubName',
      s.eventHubName,
      'is only allowed with eventHubAuthorizationRuleResourceId',
    );
    const destinationType = r.choice('logAnalyticsDestinationType', s.logAnalyticsDestinationType, [
      'Dedicated',
      'AzureDiagnostics',
    ] as const);
    const logCategories = stringList(r, 'logCategories', s.logCategories);
    const logCategoryGroups = stringList(r, 'logCategoryGroups', s.logCategoryGroups);
    const metricCategories = stringList(r, 'metricCategories', s.metricCategories);
    const defaultName = i === 0 ? `diag-${resourceName}` : `diag-${resourceName}-${i + 1}`;
    const name = s.name === undefined ? defaultName : s.name;
    if (
      r.literal('name', name, 'it keys the construct id and logical name of the setting') &&
      r.check(
        typeof name === 'string' && SETTING_NAME.test(name),
        'name',
        name,
        `a diagnostic setting name ${SETTING_NAME_RULE}`,
      )
    ) {
      r.check(
        !names.has(name as string),
        'name',
        name,
        'diagnostic setting names must be unique on a resource',
      );
      names.add(name as string);
    }
    const explicit = s.logCategories !== undefined || s.logCategoryGroups !== undefined;
    specs.push({
      name: typeof name === 'string' ? name : '',
      workspaceResourceId,
      storageAccountResourceId,
      eventHubAuthorizationRuleResourceId,
      eventHubName,
      logCategories: [...(explicit ? (logCategories ?? []) : defaults.logCategories)],
      logCategoryGroups: [...(explicit ? (logCategoryGroups ?? []) : defaults.logCategoryGroups)],
      metricCategories: [...(metricCategories ?? [])],
      logAnalyticsDestinationType:
        workspaceResourceId !== undefined ? (destinationType ?? 'Dedicated') : undefined,
    });
  });
  return specs;
}
