import { ManagementLockByScope } from '@pulumi/azure-native/authorization';
import { DiagnosticSetting } from '@pulumi/azure-native/monitor';
import * as pulumi from '@pulumi/pulumi';
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
  subscriptionOfId,
  type RoleDefinitionScope,
} from '../domain/internal';

/** A value that names or points at another Azure resource, in Pulumi: a string or an `Input<string>` (`rg.name`). */
export type Ref = pulumi.Input<string>;

/**
 * Which values Pulumi knows only at deploy: Outputs and Promises. Once such a value is known, the
 * prop's own check runs on it, and a broken rule fails the preview or update with the same
 * `ValidationError` text a literal gets.
 */
export const PULUMI_DEPLOY_TIME: DeployTimeValues = Object.freeze({
  isDeployTime: (value: unknown): boolean => pulumi.Output.isInstance(value) || value instanceof Promise,
  whenKnown: (value: unknown, check: (known: unknown) => void): unknown =>
    pulumi.output(value as pulumi.Input<string>).apply((known: string) => {
      check(known);
      return known;
    }),
});

/** Runs a domain resolver with Pulumi's deploy-time values and throws its one error, if any. */
export function resolveAlone<T>(component: string, resolve: (rules: RuleSet) => T): T {
  return resolveDomainAlone(component, resolve, PULUMI_DEPLOY_TIME);
}

/** This package's name in every component type token: `asr-mobility-autoupdate:<module>:<Class>`. */
export const PACKAGE = 'asr-mobility-autoupdate';

/** A management lock on `target`, as a child of `parent`. */
export function addLock(
  parent: pulumi.Resource,
  name: string,
  lock: LockSpec | undefined,
  target: pulumi.Input<string>,
): ManagementLockByScope | undefined {
  if (!lock) return undefined;
  return new ManagementLockByScope(
    `${name}-lock`,
    { lockName: lock.name, scope: target, level: lock.kind, notes: 'Managed by asr-mobility-autoupdate.' },
    { parent },
  );
}

/** One diagnostic setting per spec, as children of `parent`. */
export function addDiagnosticSettings(
  parent: pulumi.Resource,
  name: string,
  settings: readonly DiagnosticSettingSpec<Ref>[],
  target: pulumi.Input<string>,
): DiagnosticSetting[] {
  return settings.map(
    (s) =>
      new DiagnosticSetting(
        `${name}-${s.name}`,
        {
          name: s.name,
          resourceUri: target,
          workspaceId: s.workspaceResourceId,
          logAnalyticsDestinationType: s.logAnalyticsDestinationType,
          storageAccountId: s.storageAccountResourceId,
          eventHubAuthorizationRuleId: s.eventHubAuthorizationRuleResourceId,
          eventHubName: s.eventHubName,
          logs: [
            ...s.logCategories.map((category) => ({ category, enabled: true })),
            ...s.logCategoryGroups.map((categoryGroup) => ({ categoryGroup, enabled: true })),
          ],
          metrics:
            s.metricCategories.length > 0
              ? s.metricCategories.map((category) => ({ category, enabled: true }))
              : undefined,
        },
        { parent },
      ),
  );
}

/** Reports policy warnings on the Pulumi log, attached to the component. */
export function reportWarnings(resource: pulumi.Resource, warnings: readonly Finding[]): void {
  for (const w of warnings) void pulumi.log.warn(`[${w.ruleId}] ${w.prop}: ${w.message}`, resource);
}

/** Tags for azure-native, or undefined when there are none (so nothing empty is sent). */
export function tagsOrUndefined(tags: Readonly<Record<string, string>>): Record<string, string> | undefined {
  return Object.keys(tags).length > 0 ? { ...tags } : undefined;
}

/** `Enabled`/`Disabled`, as most Recovery Services settings take booleans. */
export const state = (on: boolean): 'Enabled' | 'Disabled' => (on ? 'Enabled' : 'Disabled');

/** What this engine cannot do itself. */
export const PULUMI_REQUIREMENTS = { applianceNamesRequired: true, engine: 'Pulumi (azure-native)' } as const;

/** How the components of the Pulumi adapter resolve their args (domain/blocks.ts). */
export const PULUMI_BLOCKS: BlockEngine<Ref> = Object.freeze({
  deployTime: PULUMI_DEPLOY_TIME,
  words: { block: 'component', self: 'one' } as const,
  brand: blockBrand('pulumi'),
  vmware: PULUMI_REQUIREMENTS,
});

/**
 * A role definition's id where the domain scopes it (`roleDefinitionScope`). `scopeId`: the
 * assignment's scope, whose subscription is read from the id once known when the domain says so.
 */
export function roleDefinitionId(
  where: RoleDefinitionScope,
  guid: string,
  scopeId: pulumi.Input<string>,
): pulumi.Input<string> {
  switch (where.kind) {
    case 'tenant':
      return roleDefinitionResourceId(undefined, guid);
    case 'subscription':
      return roleDefinitionResourceId(where.subscriptionId, guid);
    case 'subscriptionOfScope':
      return pulumi
        .output(scopeId)
        .apply((id) => roleDefinitionResourceId(subscriptionOfId(id, where.lowerCase), guid));
  }
}
