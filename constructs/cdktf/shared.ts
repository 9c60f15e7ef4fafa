import { ManagementLock } from '@cdktf/provider-azurerm/lib/management-lock';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { Annotations, Fn, Token } from 'cdktf';
import type { Construct } from 'constructs';
import {
  resolveAlone as resolveDomainAlone,
  type DeployTimeValues,
  type DiagnosticSettingSpec,
  type Finding,
  type LockSpec,
  type RuleSet,
  type BlockEngine,
  blockBrand,
  roleDefinitionResourceId,
  type RoleDefinitionScope,
} from '../domain/internal';
import { TERRAFORM_FLAVOUR } from './flavour';

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
 * How the building blocks of the Terraform adapter resolve their props (domain/blocks.ts). The brand
 * is made when this module loads, so each flavour (each compiled copy of the adapter) has its own.
 */
export const TERRAFORM_BLOCKS: BlockEngine<never> = Object.freeze({
  deployTime: TERRAFORM_DEPLOY_TIME,
  words: { block: 'construct', self: 'block' } as const,
  brand: blockBrand(TERRAFORM_FLAVOUR.name),
});

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

/**
 * A role definition's id where the domain scopes it (`roleDefinitionScope`); azurerm replaces
 * assignments whose id lacks a subscription it can have. `scopeId`: the assignment's scope, whose
 * subscription Terraform reads from the id at deploy when the domain says so.
 */
export function roleDefinitionId(where: RoleDefinitionScope, guid: string, scopeId: string): string {
  switch (where.kind) {
    case 'tenant':
      return roleDefinitionResourceId(undefined, guid);
    case 'subscription':
      return roleDefinitionResourceId(where.subscriptionId, guid);
    case 'subscriptionOfScope': {
      const sub = Fn.element(Fn.split('/', scopeId), 2);
      return roleDefinitionResourceId(where.lowerCase ? Fn.lower(sub) : sub, guid);
    }
  }
}
