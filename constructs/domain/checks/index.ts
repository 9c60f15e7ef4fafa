import type { RuleSet } from '../rules';
import { automationPublicAccess } from './automation-public-access';
import { exclusionOutsideScope } from './exclusion-outside-scope';
import { manualAgentUpgrades } from './manual-agent-upgrades';
import { newestRuntimePastSupport } from './newest-runtime-past-support';
import { privateEndpointAgentUpgrade } from './private-endpoint-agent-upgrade';
import { privilegedRole } from './privileged-role';
import { roleScopeWidth } from './role-scope-width';
import { vaultLevelLists } from './vault-level-lists';
import type { CheckInput, Fact, Finding, PolicyRule, Suppression } from './types';

export type { CheckInput, Fact, Finding, PolicyRule, RuleFinding, Suppression } from './types';

/** Every policy rule, in the order they are reported. */
export const POLICY_RULES: readonly PolicyRule[] = [
  privateEndpointAgentUpgrade,
  roleScopeWidth,
  privilegedRole,
  automationPublicAccess,
  manualAgentUpgrades,
  newestRuntimePastSupport,
  vaultLevelLists,
  exclusionOutsideScope,
];

/** Where a scenario's props put each fact: the prefix of the props a finding names. */
export const SCENARIO_FACT_PATHS: Readonly<Record<Fact, string>> = Object.freeze({
  vault: 'vault',
  automation: 'automation',
  a2a: 'replication',
  vmware: 'replication',
  discovery: 'discovery',
});

/** Where a building block's props put each fact: its own props at the top, the vault under `vault`. */
function blockFactPaths(own: Fact): Readonly<Record<Fact, string>> {
  return { ...SCENARIO_FACT_PATHS, [own]: '' };
}

/**
 * The rules that run where `facts` are at hand. In a building block (`own` given), a rule runs
 * when it needs the block's own fact and every other fact it needs is at hand, so that blocks
 * composed by hand report each finding once, in the block that completes the facts. In a
 * scenario (`own` undefined), every rule whose facts are at hand runs once.
 */
export function rulesFor(input: CheckInput, own?: Fact): PolicyRule[] {
  return POLICY_RULES.filter(
    (r) => (own === undefined || r.needs.includes(own)) && r.needs.every((f) => input[f] !== undefined),
  );
}

/**
 * Runs the rules over validated facts: a scenario's (`own` undefined) or a building block's (its
 * own fact). Error findings become violations in `rules` (so they join the one validation error);
 * warnings are returned unless suppressed with a reason. Every finding carries the id and level
 * its rule declares.
 */
export function runPolicyChecks(
  rules: RuleSet,
  input: CheckInput,
  suppressions?: readonly Suppression[],
  own?: Fact,
): Finding[] {
  const paths = own === undefined ? SCENARIO_FACT_PATHS : blockFactPaths(own);
  const byId = new Map(POLICY_RULES.map((r) => [r.id, r]));
  const suppressed = new Set<string>();
  const list = rules.list('suppressions', suppressions, 'suppressions ({ ruleId, reason })') ?? [];
  list.forEach((entry, i) => {
    const s = rules.object(`suppressions[${i}]`, entry, ['ruleId', 'reason'], 'an object { ruleId, reason }');
    if (!s) return;
    const rule = typeof s.ruleId === 'string' ? byId.get(s.ruleId) : undefined;
    if (
      !rules.check(
        rule !== undefined,
        `suppressions[${i}].ruleId`,
        s.ruleId,
        `must be one of ${[...byId.keys()].join(', ')}`,
      )
    )
      return;
    if (
      !rules.check(
        rule!.level === 'warning',
        `suppressions[${i}].ruleId`,
        s.ruleId,
        'error rules cannot be suppressed',
      )
    )
      return;
    if (
      !rules.check(
        typeof s.reason === 'string' && s.reason.trim().length >= 10,
        `suppressions[${i}].reason`,
        s.reason,
        'a suppression needs a reason of at least 10 characters',
      )
    )
      return;
    suppressed.add(rule!.id);
  });
  const warnings: Finding[] = [];
  for (const rule of rulesFor(input, own)) {
    for (const f of rule.check(input)) {
      const base = paths[f.fact];
      const prop = base ? `${base}.${f.prop}` : f.prop;
      if (rule.level === 'error') rules.check(false, prop, f.value, `${rule.id}: ${f.message}`);
      else if (!suppressed.has(rule.id))
        warnings.push({ ruleId: rule.id, level: rule.level, prop, value: f.value, message: f.message });
    }
  }
  return warnings;
}
