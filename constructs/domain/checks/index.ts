import type { RuleSet } from '../rules';
import { automationPublicAccess } from './automation-public-access';
import { manualAgentUpgrades } from './manual-agent-upgrades';
import { privateEndpointAgentUpgrade } from './private-endpoint-agent-upgrade';
import { privilegedRole } from './privileged-role';
import { retiredPowerShellRuntime } from './retired-powershell-runtime';
import { roleScopeWidth } from './role-scope-width';
import type { CheckInput, Finding, PolicyRule, Suppression } from './types';

export type { CheckInput, Finding, PolicyRule, Suppression } from './types';

/** Every policy rule, in the order they are reported. */
export const POLICY_RULES: readonly PolicyRule[] = [
  privateEndpointAgentUpgrade,
  roleScopeWidth,
  privilegedRole,
  automationPublicAccess,
  manualAgentUpgrades,
  retiredPowerShellRuntime,
];

/**
 * Runs the rules. Error findings become violations in `rules` (so they join the one validation
 * error); warnings are returned unless suppressed with a reason.
 */
export function runPolicyChecks(
  rules: RuleSet,
  input: CheckInput,
  suppressions?: readonly Suppression[],
): Finding[] {
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
  for (const rule of POLICY_RULES) {
    for (const f of rule.check(input)) {
      if (f.level === 'error') rules.check(false, f.prop, f.value, `${f.ruleId}: ${f.message}`);
      else if (!suppressed.has(f.ruleId)) warnings.push(f);
    }
  }
  return warnings;
}
