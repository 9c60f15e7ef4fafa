import { AutomationAccount } from '@cdktf/provider-azurerm/lib/automation-account';
import { AutomationRunbook } from '@cdktf/provider-azurerm/lib/automation-runbook';
import { MonitorMetricAlert } from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import type { Construct } from 'constructs';
import type { AutomationCoreSpec } from '../domain/internal';
import { addEstateVisibility, type EstateVisibility } from './estate-visibility';
import type { RuntimeEnvironmentResource } from './flavour-contract';
import { TERRAFORM_FLAVOUR } from './flavour';
import { addDiagnosticSettings, terraformLiteral } from './shared';

// Internal (not exported from the package): the parts of the automation that the single-vault
// building block and the existing-vaults scenario share, with the same construct ids in both.

/**
 * The account (construct id `Resource`), its runtime environment, its runbook and, when a workspace
 * is given, the estate's visibility (construct id `Visibility`), as children of `scope`.
 */
export function addAutomationCore(
  scope: Construct,
  spec: AutomationCoreSpec,
  tags: Record<string, string> | undefined,
): {
  account: AutomationAccount;
  runtimeEnvironment?: RuntimeEnvironmentResource;
  runbook: AutomationRunbook;
  visibility?: EstateVisibility;
} {
  const account = new AutomationAccount(scope, 'Resource', {
    name: spec.name,
    resourceGroupName: spec.resourceGroupName,
    location: spec.location,
    skuName: spec.skuName,
    identity: { type: 'SystemAssigned' },
    localAuthenticationEnabled: spec.localAuthenticationEnabled,
    publicNetworkAccessEnabled: spec.publicNetworkAccessEnabled,
    tags,
  });

  const env = spec.runtime.environment;
  let runtimeEnvironment: RuntimeEnvironmentResource | undefined;
  if (env?.create) {
    runtimeEnvironment = TERRAFORM_FLAVOUR.addRuntimeEnvironment(scope, 'RuntimeEnvironment', {
      name: env.name,
      automationAccountId: account.id,
      location: spec.location,
      runtimeLanguage: env.language,
      runtimeVersion: env.version,
      description: env.description,
      runtimeDefaultPackages: env.defaultPackages,
      tags,
    });
  }

  const runbook = new AutomationRunbook(scope, 'Runbook', {
    name: spec.runbook.name,
    resourceGroupName: spec.resourceGroupName,
    location: spec.location,
    automationAccountName: account.name,
    runbookType: spec.runtime.runbookType,
    description: spec.runbook.description,
    // The shipped runbook goes inline (escaped: Terraform reads strings as templates); a user-hosted
    // one is published from its link, hash-checked by Automation.
    content: spec.runbook.contentLink ? undefined : terraformLiteral(spec.runbook.asset.content),
    publishContentLink: spec.runbook.contentLink
      ? {
          uri: spec.runbook.contentLink.uri,
          hash: { algorithm: 'SHA256', value: spec.runbook.contentLink.sha256 },
        }
      : undefined,
    logVerbose: spec.runbook.logVerbose,
    logProgress: spec.runbook.logProgress,
    tags,
  });
  if (env) TERRAFORM_FLAVOUR.linkRuntimeEnvironment(runbook, runtimeEnvironment?.name ?? env.name);
  const visibility = addEstateVisibility(scope, spec.visibility, {
    resourceGroupName: spec.resourceGroupName,
    principalId: account.identity.principalId,
    tags,
  });
  return { account, runtimeEnvironment, runbook, visibility };
}

/** The account's diagnostic settings and its failed-job alert (construct id `FailedJobAlert`), unless switched off. */
export function addAutomationMonitoring(
  scope: Construct,
  spec: AutomationCoreSpec,
  accountId: string,
): MonitorMetricAlert | undefined {
  addDiagnosticSettings(scope, spec.diagnosticSettings, accountId);

  const alert = spec.failedJobAlert;
  if (alert) {
    const c = alert.criterion;
    // azurerm always sends location "global" for metric alerts; it has no location argument.
    return new MonitorMetricAlert(scope, 'FailedJobAlert', {
      name: alert.name,
      resourceGroupName: spec.resourceGroupName,
      scopes: [accountId],
      description: alert.description,
      enabled: alert.enabled,
      severity: alert.severity,
      frequency: alert.evaluationFrequency,
      windowSize: alert.windowSize,
      autoMitigate: alert.autoMitigate,
      criteria: [
        {
          metricNamespace: c.metricNamespace,
          metricName: c.metricName,
          aggregation: c.aggregation,
          operator: c.operator,
          threshold: c.threshold,
          dimension: c.dimensions.map((d) => ({
            name: d.name,
            operator: d.operator,
            values: [...d.values],
          })),
        },
      ],
      action:
        alert.actionGroupIds.length > 0
          ? alert.actionGroupIds.map((actionGroupId) => ({ actionGroupId }))
          : undefined,
      tags: Object.keys(alert.tags).length > 0 ? { ...alert.tags } : undefined,
    });
  }
  return undefined;
}
