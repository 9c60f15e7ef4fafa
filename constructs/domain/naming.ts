import { createHash } from 'node:crypto';
import type { RuleSet } from './rules';

/** Recovery Services vault: 2-50 characters, letters, digits and hyphens, starting with a letter. */
export const VAULT_NAME = /^[A-Za-z][A-Za-z0-9-]{1,49}$/;
/** Automation account: 6-50 characters, letters, digits and hyphens, starting with a letter, ending with a letter or digit. */
export const AUTOMATION_ACCOUNT_NAME = /^[A-Za-z][A-Za-z0-9-]{4,48}[A-Za-z0-9]$/;
/**
 * Resource group: 1-90 characters of letters and digits as Azure counts them (Unicode letters and
 * decimal digits, what .NET's `Char.IsLetterOrDigit` accepts), `_`, `-`, `.`, `(`, `)`; not ending
 * with `.`. The runbook's `$ResourceGroupPattern` is the same text: test it with
 * {@link isResourceGroupName}, which also refuses characters outside the Basic Multilingual Plane
 * (.NET matches UTF-16 code units, so a surrogate pair is never a letter there).
 */
export const RESOURCE_GROUP_NAME = /^[-\p{L}\p{Nd}_.()]{0,89}[-\p{L}\p{Nd}_()]$/u;

/** Whether `value` is a resource group name by {@link RESOURCE_GROUP_NAME}, as the runbook reads it too. */
export function isResourceGroupName(value: string): boolean {
  return RESOURCE_GROUP_NAME.test(value) && !/[\ud800-\udfff]/.test(value);
}
/** Site Recovery child names (fabric, container, policy, mapping): 1-63 of letters, digits, `-` and `_`, starting with a letter or digit. */
export const SITE_RECOVERY_CHILD_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
/** Runbook: 1-63 characters, letters, digits, `-` and `_`, starting with a letter. */
export const RUNBOOK_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;
/** Automation schedule: 1-128 characters, none of `<>*%&:\?.+/` and not ending with a space. */
export const SCHEDULE_NAME = /^[^<>*%&:\\?.+/]{0,127}[^<>*%&:\\?.+/ ]$/;

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
/** A role definition GUID. */
export const GUID_PATTERN = new RegExp(`^${GUID}$`);

/**
 * The one rule for a Recovery Services vault id, shared with the runbook's `$VaultIdPattern` and
 * tested against one table (test/fixtures/vault-id-cases.json) in both suites:
 * `/subscriptions/{guid}/resourceGroups/{resource group}/providers/Microsoft.RecoveryServices/vaults/{vault name}`,
 * at most one trailing `/`. The fixed words (`subscriptions`, `resourceGroups`, `providers`, the
 * type) compare case-insensitively, as ARM compares them; the segments follow Azure's naming rules
 * ({@link RESOURCE_GROUP_NAME}, {@link VAULT_NAME}), so an id never carries white space, a query, a
 * fragment, a dot segment or an extra segment into a role assignment scope or a URL.
 * Returns the parts, or undefined for anything else.
 */
export function parseVaultResourceId(
  id: string,
):
  { readonly subscriptionId: string; readonly resourceGroupName: string; readonly name: string } | undefined {
  // No `u` flag here: under `iu`, the Kelvin sign (U+212A) would match [A-Za-z], as it does in
  // .NET's case-insensitive matching, which the runbook turns off for the segments.
  const m = new RegExp(
    `^/subscriptions/(${GUID})/resourceGroups/([^/]+)/providers/Microsoft\\.RecoveryServices/vaults/([^/]+)/?$`,
    'i',
  ).exec(id);
  if (!m) return undefined;
  const [, subscriptionId, resourceGroupName, name] = m;
  if (!isResourceGroupName(resourceGroupName!) || !VAULT_NAME.test(name!)) return undefined;
  return { subscriptionId: subscriptionId!, resourceGroupName: resourceGroupName!, name: name! };
}

/** A parsed Azure resource id. */
export interface ResourceId {
  readonly subscriptionId: string;
  readonly resourceGroupName?: string;
  /** `Microsoft.X/type[/subtype]` for a resource; undefined for a subscription or resource group. */
  readonly type?: string;
  readonly name?: string;
}

/**
 * Parses `/subscriptions/{guid}[/resourceGroups/{rg}[/providers/{ns}/{type}/{name}[/{type}/{name}...]]]`.
 * Returns undefined for anything else.
 */
export function parseResourceId(id: string): ResourceId | undefined {
  const m = new RegExp(
    `^/subscriptions/(${GUID})(?:/resourceGroups/([^/]+)(?:/providers/([^/]+)((?:/[^/]+/[^/]+)+))?)?/?$`,
    'i',
  ).exec(id);
  if (!m) return undefined;
  const [, subscriptionId, resourceGroupName, namespace, rest] = m;
  if (!namespace || !rest) return { subscriptionId: subscriptionId!, resourceGroupName };
  const parts = rest.slice(1).split('/');
  const types: string[] = [];
  for (let i = 0; i < parts.length; i += 2) types.push(parts[i]!);
  return {
    subscriptionId: subscriptionId!,
    resourceGroupName,
    type: `${namespace}/${types.join('/')}`,
    name: parts[parts.length - 1],
  };
}

/** Validates an optional resource id of the given type (case-insensitive); `type` undefined accepts any resource. */
export function checkResourceId(rules: RuleSet, prop: string, value: unknown, type?: string): boolean {
  if (value === undefined) return true;
  const parsed = typeof value === 'string' ? parseResourceId(value) : undefined;
  const what = type
    ? `a ${type} resource id (/subscriptions/{guid}/resourceGroups/{name}/providers/${type}/{name})`
    : 'an Azure resource id';
  return rules.check(
    parsed !== undefined &&
      parsed.type !== undefined &&
      (type === undefined || parsed.type.toLowerCase() === type.toLowerCase()),
    prop,
    value,
    `must be ${what}`,
  );
}

/** Validates an optional name against a pattern, with the rule text shown to the user. */
export function checkName(
  rules: RuleSet,
  prop: string,
  value: unknown,
  pattern: RegExp,
  rule: string,
): boolean {
  // A name this library gives a resource it creates keys construct ids, logical names and derived
  // names: it is needed at synthesis. (Names of other resources go through `rules.ref` first.)
  if (
    !rules.literal(
      prop,
      value,
      'it names a resource this library creates, and construct ids, logical names and derived names are built from it at synthesis',
    )
  )
    return false;
  return rules.check(
    value === undefined || (typeof value === 'string' && pattern.test(value)),
    prop,
    value,
    rule,
  );
}

/**
 * Derives a child name from a base, kept within `maxLength` and ending with a letter or digit,
 * so that defaults never break the naming rules they are checked against.
 */
export function deriveName(base: string, suffix: string, maxLength: number): string {
  const room = maxLength - suffix.length;
  const head = base.slice(0, Math.max(1, room));
  return `${head}${suffix}`.replace(/[^A-Za-z0-9]+$/, '');
}

/** An RFC 4122 name-based (version 5, SHA-1) UUID: the same inputs always give the same id. */
export function uuidV5(name: string, namespace: string = UUID_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** This library's UUID namespace (uuidV5 of `https://www.npmjs.com/package/asr-mobility-autoupdate` in the RFC 4122 URL namespace). */
export const UUID_NAMESPACE = '3094f997-c856-54a0-ad2a-eff6f5a9791f';
