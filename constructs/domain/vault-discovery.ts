import { GUID_PATTERN } from './naming';
import { isIanaTimeZone } from './regions';
import type { RuleSet } from './rules';
import { checkVaultResourceId } from './vault-id';

/** A vault tag to select vaults by, in discovery. */
export interface VaultTagFilter {
  /** The tag's name (compared case-insensitively, as ARM compares tag names): 1-512 characters, none of `< > % & \\ ? /`, `=` or a control character. */
  readonly name: string;
  /**
   * The tag's value (compared as Azure Resource Graph compares strings): at most 256 characters, no control character.
   * @default any value: the tag only has to be present
   */
  readonly value?: string;
}

/**
 * Vaults found each night instead of (or besides) a list: every Recovery Services vault in the
 * subscriptions and/or the management group, optionally only those carrying a tag, minus the
 * exclusions. The runbook asks Azure Resource Graph for them at the start of each job, so a vault
 * created tomorrow is covered the next night without a redeploy.
 *
 * The price: the account's identity gets a role on each whole subscription or management group,
 * which policy rule ASR-W01 reports as a warning at synthesis. By default that is a custom role the
 * library declares, assignable at exactly these scopes, with only the runbook's Site Recovery
 * actions (`RUNBOOK_ROLE_ACTIONS`, `Microsoft.RecoveryServices/vaults/read` included, which
 * Resource Graph needs to return a vault); `automation.roleDefinition` replaces it. Deploying the
 * custom role needs `Microsoft.Authorization/roleDefinitions/write` on every scope (Owner or User
 * Access Administrator). Tag values compare case-sensitively, tag names not.
 */
export interface VaultDiscoveryProps {
  /**
   * Subscriptions to search, as GUIDs, each once: 1 to {@link MAX_DISCOVERY_SUBSCRIPTIONS}.
   * Literals: each gets a role assignment named from it.
   * @default none: give this, `managementGroupId`, or both
   */
  readonly subscriptionIds?: readonly string[];
  /**
   * A management group to search (its id, not its display name): 1-90 letters, digits, `-`, `_`,
   * `(`, `)` and `.`, not ending with `.`. A literal.
   * @default none: give this, `subscriptionIds`, or both
   */
  readonly managementGroupId?: string;
  /**
   * Only vaults carrying this tag (and value, when given).
   * @default every vault in scope
   */
  readonly tag?: VaultTagFilter;
  /**
   * Vault ids never reconciled even when found, by the same rule as a vault id; literals.
   * @default none
   */
  readonly excludeVaultResourceIds?: readonly string[];
  /**
   * IANA time zone of the nightly discovery job (for example `Europe/Amsterdam`). Required: a scope
   * has no region to derive it from. Listed vaults in the same zone run in the same job; listed
   * vaults in other zones are excluded from it, so that each vault is reconciled once a night.
   */
  readonly timeZone: string;
}

/** The most subscriptions one discovery searches (Resource Graph takes them in one request). */
export const MAX_DISCOVERY_SUBSCRIPTIONS = 100;

/** A management group id: 1-90 letters, digits, `-`, `_`, `(`, `)` and `.`, not ending with `.`. */
export const MANAGEMENT_GROUP_ID = /^[A-Za-z0-9_().-]{0,89}[A-Za-z0-9_()-]$/;

/** A validated discovery. */
export interface VaultDiscoverySpec {
  /** Lower case, in the order given. */
  readonly subscriptionIds: readonly string[];
  readonly managementGroupId?: string;
  readonly tag?: { readonly name: string; readonly value?: string };
  /** As given (trailing slash removed). */
  readonly excludeVaultResourceIds: readonly string[];
  readonly timeZone: string;
}

/** Tag names and values: what the runbook's `DiscoveryTag` (`name=value`) can carry. */
function checkTag(rules: RuleSet, value: unknown): VaultDiscoverySpec['tag'] {
  const t = rules.object('discovery.tag', value, ['name', 'value'], 'an object { name, value? }');
  if (!t) return undefined;
  const control = {
    test: (v: string) => [...v].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127),
  };
  const nameOk = rules.check(
    typeof t.name === 'string' &&
      t.name.length >= 1 &&
      t.name.length <= 512 &&
      !/[<>%&\\?/=]/.test(t.name) &&
      !control.test(t.name) &&
      t.name.trim() === t.name,
    'discovery.tag.name',
    t.name,
    'a tag name has 1-512 characters, none of < > % & \\ ? / (Azure) nor = (it separates name and value in the job parameter) nor a control character, and no leading or trailing space',
  );
  const valueOk = rules.check(
    t.value === undefined || (typeof t.value === 'string' && t.value.length <= 256 && !control.test(t.value)),
    'discovery.tag.value',
    t.value,
    'a tag value is a string of at most 256 characters without a control character',
  );
  return nameOk && valueOk
    ? { name: t.name as string, ...(t.value !== undefined ? { value: t.value as string } : {}) }
    : undefined;
}

/** Validates `discovery` (reported under `discovery.*`): the scopes, tag, exclusions and time zone. */
export function resolveDiscovery(rules: RuleSet, value: unknown): VaultDiscoverySpec | undefined {
  const d = rules.object(
    'discovery',
    value,
    ['subscriptionIds', 'managementGroupId', 'tag', 'excludeVaultResourceIds', 'timeZone'],
    'an object { subscriptionIds?, managementGroupId?, tag?, excludeVaultResourceIds?, timeZone }',
  );
  if (!d) return undefined;
  const why =
    'the role assignment at the scope is named from it, and the scope-width check (ASR-W01) needs it';
  const subs: string[] = [];
  const subList = rules.literal('discovery.subscriptionIds', d.subscriptionIds, why)
    ? rules.list('discovery.subscriptionIds', d.subscriptionIds, 'subscription ids (GUIDs)')
    : undefined;
  if (subList !== undefined) {
    rules.check(
      subList.length >= 1 && subList.length <= MAX_DISCOVERY_SUBSCRIPTIONS,
      'discovery.subscriptionIds',
      `${subList.length} subscriptions`,
      `lists 1 to ${MAX_DISCOVERY_SUBSCRIPTIONS} subscriptions (omit it to search the management group alone)`,
    );
    subList.forEach((sub, i) => {
      const prop = `discovery.subscriptionIds[${i}]`;
      if (!rules.literal(prop, sub, why)) return;
      if (
        !rules.check(
          typeof sub === 'string' && GUID_PATTERN.test(sub),
          prop,
          sub,
          'must be a subscription id: a GUID such as 00000000-0000-0000-0000-000000000000',
        )
      )
        return;
      const lower = (sub as string).toLowerCase();
      if (
        rules.check(
          !subs.includes(lower),
          prop,
          sub,
          'each subscription may appear once (compared case-insensitively)',
        )
      )
        subs.push(lower);
    });
  }
  const mgOk =
    rules.literal('discovery.managementGroupId', d.managementGroupId, why) &&
    rules.check(
      d.managementGroupId === undefined ||
        (typeof d.managementGroupId === 'string' && MANAGEMENT_GROUP_ID.test(d.managementGroupId)),
      'discovery.managementGroupId',
      d.managementGroupId,
      'a management group id has 1-90 characters: letters, digits, - _ ( ) and ., not ending with a period (the id, not the display name)',
    );
  rules.check(
    d.subscriptionIds !== undefined || d.managementGroupId !== undefined,
    'discovery',
    value,
    'needs a scope: subscriptionIds, managementGroupId, or both',
  );
  const tag = checkTag(rules, d.tag);
  const excluded: string[] = [];
  const exList = rules.list(
    'discovery.excludeVaultResourceIds',
    d.excludeVaultResourceIds,
    'vault resource ids',
  );
  exList?.forEach((id, i) => {
    const prop = `discovery.excludeVaultResourceIds[${i}]`;
    if (!checkVaultResourceId(rules, prop, id)) return;
    const trimmed = id.replace(/\/$/, '');
    if (
      rules.check(
        !excluded.some((e) => e.toLowerCase() === trimmed.toLowerCase()),
        prop,
        id,
        'each vault may appear once (ids compared case-insensitively)',
      )
    )
      excluded.push(trimmed);
  });
  const zoneOk = rules.check(
    typeof d.timeZone === 'string' && isIanaTimeZone(d.timeZone),
    'discovery.timeZone',
    d.timeZone,
    d.timeZone === undefined
      ? 'is required with discovery: the nightly job runs at midnight in a time zone you state (a scope has no region to derive it from), an IANA name such as Europe/Amsterdam'
      : 'must be an IANA time zone name such as Europe/Amsterdam (Windows names such as "W. Europe Standard Time" are not accepted)',
  );
  return {
    subscriptionIds: subs,
    ...(mgOk && typeof d.managementGroupId === 'string' ? { managementGroupId: d.managementGroupId } : {}),
    ...(tag ? { tag } : {}),
    excludeVaultResourceIds: excluded,
    timeZone: zoneOk ? (d.timeZone as string) : 'Etc/UTC',
  };
}
