import { ManagementLock } from '@cdktf/provider-azurerm/lib/management-lock';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { Annotations, Token } from 'cdktf';
import type { Construct } from 'constructs';
import {
  checkRef,
  isPlainObject,
  resolveAlone as resolveDomainAlone,
  runPolicyChecks,
  vaultStandIn,
  type CheckInput,
  type DeployTimeValues,
  type DiagnosticSettingSpec,
  type Fact,
  type Finding,
  type LockSpec,
  type RecoveryVaultSpec,
  type RuleSet,
  type Suppression,
  type VaultFacts,
} from '../domain/internal';
import { ExistingRecoveryVault, RecoveryVault } from './recovery-vault';

export { withoutRefs } from '../domain/internal';

/**
 * Which values the Terraform engine knows only at deploy: tokens (`rg.name`, `law.id`, anything
 * unresolved). Terraform cannot run our checks on them at plan, so they are carried unchecked.
 */
export const TERRAFORM_DEPLOY_TIME: DeployTimeValues = Object.freeze({
  isDeployTime: (value: unknown): boolean => Token.isUnresolved(value),
});

/**
 * Literal text as Terraform must receive it. In Terraform's JSON syntax every string is a template:
 * `${` starts an interpolation and `%{` a directive, so text that holds them (the runbook's
 * PowerShell `"Vault ${VaultId}: ..."`) fails at plan with "Invalid reference". `$${` and `%%{`
 * are their escapes; Terraform reads the result back as `text`, unchanged.
 */
export function terraformLiteral(text: string): string {
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** Runs a domain resolver with the Terraform engine's deploy-time values and throws its one error, if any. */
export function resolveAlone<T>(component: string, resolve: (rules: RuleSet) => T): T {
  return resolveDomainAlone(component, resolve, TERRAFORM_DEPLOY_TIME);
}

/**
 * Runs the policy rules a building block owns over the facts it holds: errors join its one
 * validation error, warnings are returned (and reported by {@link reportWarnings}).
 */
export function checkBlock(rules: RuleSet, own: Fact, facts: CheckInput, suppressions: unknown): Finding[] {
  return runPolicyChecks(rules, facts, suppressions as readonly Suppression[] | undefined, own);
}

/** A reference prop (another construct) of a building block's props, read without trusting their shape. */
export function refOf<P, K extends string>(props: P, key: K): unknown {
  return isPlainObject(props) && Object.hasOwn(props, key) ? props[key] : undefined;
}

/** The spec of the vault a building block is given; a missing or wrong vault is reported and stood in for. */
export function vaultSpecOf(rules: RuleSet, vault: unknown): RecoveryVaultSpec | undefined {
  return checkRef(rules, 'vault', vault, RecoveryVault, 'the RecoveryVault construct this block belongs to')
    ? vault.spec
    : undefined;
}

/** The vault's spec, or a stand-in when the vault reference is missing or wrong (already reported). */
export function vaultSpecOrStandIn(spec: RecoveryVaultSpec | undefined): RecoveryVaultSpec {
  return spec ?? vaultStandIn();
}

/** The facts of the vault an automation block serves: a managed or an existing vault; anything else is reported. */
export function vaultFactsOf(rules: RuleSet, vault: unknown): VaultFacts {
  return rules.check(
    vault instanceof RecoveryVault || vault instanceof ExistingRecoveryVault,
    'vault',
    vault,
    'must be the RecoveryVault construct this block belongs to, or an existing vault from RecoveryVault.fromVaultId',
  )
    ? (vault as RecoveryVault | ExistingRecoveryVault).spec
    : vaultStandIn();
}

/** A management lock on `scope`. */
export function addLock(
  scope: Construct,
  lock: LockSpec | undefined,
  target: string,
): ManagementLock | undefined {
  if (!lock) return undefined;
  return new ManagementLock(scope, 'Lock', {
    name: lock.name,
    scope: target,
    lockLevel: lock.kind,
    notes: 'Managed by asr-mobility-autoupdate.',
  });
}

/** One diagnostic setting per spec, each with a construct id derived from its name. */
export function addDiagnosticSettings(
  scope: Construct,
  settings: readonly DiagnosticSettingSpec[],
  target: string,
): MonitorDiagnosticSetting[] {
  return settings.map(
    (s) =>
      new MonitorDiagnosticSetting(scope, `Diagnostics-${s.name}`, {
        name: s.name,
        targetResourceId: target,
        logAnalyticsWorkspaceId: s.workspaceResourceId,
        logAnalyticsDestinationType: s.logAnalyticsDestinationType,
        storageAccountId: s.storageAccountResourceId,
        eventhubAuthorizationRuleId: s.eventHubAuthorizationRuleResourceId,
        eventhubName: s.eventHubName,
        enabledLog: [
          ...s.logCategories.map((category) => ({ category })),
          ...s.logCategoryGroups.map((categoryGroup) => ({ categoryGroup })),
        ],
        enabledMetric:
          s.metricCategories.length > 0 ? s.metricCategories.map((category) => ({ category })) : undefined,
      }),
  );
}

/** Reports policy warnings where cdktf reports them: the manifest, printed at synth. */
export function reportWarnings(scope: Construct, warnings: readonly Finding[]): void {
  for (const w of warnings) Annotations.of(scope).addWarning(`[${w.ruleId}] ${w.prop}: ${w.message}`);
}

/** The subscription-scoped id of a role definition; azurerm replaces assignments whose id lacks it. */
export function roleDefinitionId(subscriptionId: string, guid: string): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}
