import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import type { Json } from './mutations';

const root = join(__dirname, '..', '..');
const SUB = '00000000-0000-0000-0000-000000000001';
const rg = `/subscriptions/${SUB}/resourceGroups/rg-dr-weu`;
const id = (type: string, name: string) => `${rg}/providers/${type}/${name}`;

/** An A2A scenario that sets (nearly) every prop, so every prop gets mutated. */
export const A2A_FULL: Json = {
  vault: {
    name: 'rsv-dr-weu',
    resourceGroupName: 'rg-dr-weu',
    location: 'westeurope',
    sku: 'Standard',
    storageModeType: 'GeoRedundant',
    crossRegionRestoreEnabled: true,
    softDeleteEnabled: true,
    publicNetworkAccessEnabled: true,
    immutability: 'Unlocked',
    systemAssignedIdentityEnabled: true,
    alerts: { allJobFailuresEnabled: true, criticalOperationFailuresEnabled: false },
    extensionUpdateSettings: { autoUpdateEnabled: true },
    tags: { env: 'test', owner: 'platform-team' },
    lock: { kind: 'CanNotDelete', name: 'lock-vault' },
    diagnosticSettings: [
      { workspaceResourceId: id('Microsoft.OperationalInsights/workspaces', 'law-dr') },
      {
        name: 'diag-archive',
        storageAccountResourceId: id('Microsoft.Storage/storageAccounts', 'stdrarchive'),
        logCategories: ['AzureSiteRecoveryJobs'],
        metricCategories: ['Health'],
        logAnalyticsDestinationType: 'Dedicated',
      },
    ],
  },
  replication: {
    sourceRegion: 'northeurope',
    targetRegion: 'westeurope',
    sourceFabricName: 'asr-fabric-neu',
    targetFabricName: 'asr-fabric-weu',
    sourceContainerName: 'asr-container-neu',
    targetContainerName: 'asr-container-weu',
    policyName: 'asr-a2a-policy',
    recoveryPointRetentionInMinutes: 1440,
    applicationConsistentSnapshotFrequencyInMinutes: 240,
    sourceNetworkResourceId: id('Microsoft.Network/virtualNetworks', 'vnet-neu'),
    targetNetworkResourceId: id('Microsoft.Network/virtualNetworks', 'vnet-weu'),
  },
  automation: {
    name: 'aa-dr-weu-updates',
    resourceGroupName: 'rg-dr-weu',
    location: 'westeurope',
    authenticationType: 'SystemAssignedIdentity',
    publicNetworkAccessEnabled: false,
    runbookName: 'Set-AsrMobilityAutoUpdate',
    scheduleName: 'asr-daily',
    sourceRegion: 'northeurope',
    timeZone: 'Europe/Dublin',
    timeOfDay: '01:30',
    startTime: '2026-12-01T01:30:00+00:00',
    roleDefinition: 'Site Recovery Contributor',
    additionalRoleScopes: [rg],
    diagnosticSettings: [
      {
        eventHubAuthorizationRuleResourceId: id(
          'Microsoft.EventHub/namespaces/ehns-dr/authorizationRules',
          'send',
        ),
        eventHubName: 'asr',
        logCategories: ['JobLogs'],
      },
    ],
    tags: { env: 'test' },
    runbookHosting: 'storage',
    runbookStorage: { accountName: 'stasrrunbooks', sasValidityInHours: 24 },
    runtime: { version: '7.4', existingEnvironmentName: 'ps74-shared' },
    alerts: {
      failedJobAlertEnabled: true,
      failedJobAlertName: 'aa-dr-weu-updates-failed',
      actionGroupIds: [id('Microsoft.Insights/actionGroups', 'ag-oncall')],
      severity: 2,
      evaluationFrequency: 'PT5M',
      windowSize: 'PT15M',
      autoMitigationEnabled: false,
    },
  },
  suppressions: [{ ruleId: 'ASR-W01', reason: 'the team grants the resource group on purpose' }],
};

/** A2A with an existing automation account: the library then creates no automation. */
export const A2A_EXISTING_ACCOUNT: Json = {
  vault: {
    name: 'rsv-dr-weu',
    resourceGroupName: 'rg-dr-weu',
    location: 'westeurope',
    extensionUpdateSettings: {
      autoUpdateEnabled: true,
      automationAccountResourceId: id('Microsoft.Automation/automationAccounts', 'aa-shared'),
    },
  },
  replication: { sourceRegion: 'northeurope', targetRegion: 'westeurope' },
};

/** VMware with the appliance names (so it resolves for both engines) and a user-hosted runbook. */
export const VMWARE_FULL: Json = {
  vault: {
    name: 'rsv-vmware-weu',
    resourceGroupName: 'rg-vmware-weu',
    location: 'westeurope',
    publicNetworkAccessEnabled: true,
    lock: { kind: 'ReadOnly' },
    tags: { workload: 'dr' },
  },
  replication: {
    policyName: 'asr-inmagercm-policy',
    policyAssociationName: 'asr-inmagercm-policy-association',
    recoveryPointRetentionInMinutes: 4320,
    applicationConsistentSnapshotFrequencyInMinutes: 240,
    acceptManualAgentUpgrades: false,
    applianceFabricName: 'asr-appliance-fabric-weu',
    applianceContainerName: 'asr-appliance-container-weu',
  },
  automation: {
    startTime: '2026-12-01T00:00:00+01:00',
    runbookContentLink: { uri: 'https://example.org/runbooks/r.ps1', sha256: 'ab'.repeat(32) },
  },
};

/** Existing vaults: two vaults in different time zones (one by region, one by zone), every automation prop a fleet has. */
export const EXISTING_FULL: Json = {
  vaults: [
    {
      vaultResourceId: id('Microsoft.RecoveryServices/vaults', 'rsv-dr-weu'),
      sourceRegion: 'northeurope',
    },
    {
      vaultResourceId: `/subscriptions/${SUB}/resourceGroups/rg-dr-wus3/providers/microsoft.recoveryservices/Vaults/rsv-dr-wus3`,
      timeZone: 'America/New_York',
    },
  ],
  automation: {
    name: 'aa-fleet-updates',
    resourceGroupName: 'rg-automation',
    location: 'westeurope',
    providers: ['A2A', 'InMageRcm'],
    autoUpdateAction: 'Enabled',
    authenticationType: 'SystemAssignedIdentity',
    publicNetworkAccessEnabled: false,
    runbookName: 'Set-AsrMobilityAutoUpdate',
    scheduleName: 'asr-daily',
    timeOfDay: '01:30',
    roleDefinition: 'Site Recovery Contributor',
    additionalRoleScopes: [id('Microsoft.RecoveryServices/vaults', 'rsv-extra')],
    tags: { env: 'test' },
    runbookHosting: 'storage',
    runbookStorage: { accountName: 'stasrfleet', sasValidityInHours: 24 },
    runtime: { version: '7.4' },
    alerts: { actionGroupIds: [id('Microsoft.Insights/actionGroups', 'ag-oncall')], severity: 2 },
  },
  suppressions: [{ ruleId: 'ASR-W01', reason: 'the team grants the resource group on purpose' }],
};

/** The `asr` context of the repository's cdktf.json: what `cdktf synth` reads. */
export function cdktfContext(): Json {
  const doc = JSON.parse(readFileSync(join(root, 'cdktf.json'), 'utf8')) as { context: { asr: Json } };
  return doc.context.asr;
}

/**
 * A Pulumi stack file's settings of this project, as JSON values: the JSON-encoded settings parsed,
 * so that a mutation reaches inside them. {@link pulumiConfigText} turns them back into config text.
 */
export function pulumiStackSettings(stack: 'a2a' | 'vmware' | 'existing', jsonKeys: readonly string[]): Json {
  const doc = load(readFileSync(join(root, `Pulumi.${stack}.yaml`), 'utf8')) as {
    config: Record<string, unknown>;
  };
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(doc.config)) {
    if (!k.startsWith('asr-mobility-autoupdate:')) continue;
    const key = k.slice('asr-mobility-autoupdate:'.length);
    // Lists (additionalRoleScopes, alertActionGroupIds) stay lists: pulumiConfigText stores them as JSON, as Pulumi does.
    out[key] = jsonKeys.includes(key)
      ? (JSON.parse(String(v)) as Json)
      : Array.isArray(v)
        ? (v as Json)
        : String(v);
  }
  return out;
}

/** Config text as `pulumi config` stores it: strings as they are, anything else as JSON. */
export function pulumiConfigText(settings: Json): Record<string, string> {
  const out: Record<string, string> = {};
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) return out;
  for (const k of Object.keys(settings)) {
    const v = settings[k]!;
    Object.defineProperty(out, k, {
      value: typeof v === 'string' ? v : JSON.stringify(v),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
