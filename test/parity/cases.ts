import type {
  A2AScenarioProps,
  ExistingVaultsScenarioProps,
  VmwareScenarioProps,
} from '../../constructs/domain/internal';
import { a2aProps, fixedClock, SUB, vmwareProps, vnet } from '../fixtures';

/** The configurations every engine is compared against the domain plan with (terraform.test.ts, pulumi.test.ts). */
const law = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law`;

export const a2aCases: [string, A2AScenarioProps][] = [
  ['defaults', a2aProps()],
  [
    'everything on',
    a2aProps({
      vault: {
        ...a2aProps().vault,
        lock: { kind: 'CanNotDelete' },
        diagnosticSettings: [{ workspaceResourceId: law }],
      },
      replication: {
        sourceRegion: 'northeurope',
        targetRegion: 'westeurope',
        sourceNetworkResourceId: vnet('a', 'vnet-a'),
        targetNetworkResourceId: vnet('b', 'vnet-b'),
        recoveryPointRetentionInMinutes: 2880,
      },
      automation: {
        clock: fixedClock,
        roleDefinition: 'Site Recovery Contributor',
        additionalRoleScopes: [`/subscriptions/${SUB}/resourceGroups/rg-dr-weu`],
        diagnosticSettings: [{ workspaceResourceId: law }],
      },
      suppressions: [{ ruleId: 'ASR-W01', reason: 'the DR team owns this resource group' }],
    }),
  ],
  [
    'auto-update off',
    a2aProps({ vault: { ...a2aProps().vault, extensionUpdateSettings: { autoUpdateEnabled: false } } }),
  ],
  [
    // The same plan in every engine: only Pulumi declares the storage (a listed difference).
    'runbook hosted on storage',
    a2aProps({ automation: { clock: fixedClock, runbookHosting: 'storage' } }),
  ],
  [
    'user-hosted runbook',
    a2aProps({
      automation: {
        clock: fixedClock,
        runbookContentLink: { uri: 'https://example.org/r.ps1', sha256: 'AB'.repeat(32) },
      },
    }),
  ],
  [
    'failed-job alert routed to action groups',
    a2aProps({
      automation: {
        clock: fixedClock,
        alerts: {
          actionGroupIds: [
            `/subscriptions/${SUB}/resourceGroups/rg-ops/providers/Microsoft.Insights/actionGroups/ag-ops`,
            `/subscriptions/${SUB}/resourceGroups/rg-ops/providers/microsoft.insights/actionGroups/ag-oncall`,
          ],
          severity: 2,
          evaluationFrequency: 'PT15M',
          windowSize: 'PT1H',
          autoMitigationEnabled: true,
        },
      },
    }),
  ],
  [
    'failed-job alert off',
    a2aProps({ automation: { clock: fixedClock, alerts: { failedJobAlertEnabled: false } } }),
  ],
  [
    'estate visibility, alert routed to action groups',
    a2aProps({
      automation: {
        clock: fixedClock,
        alerts: {
          actionGroupIds: [
            `/subscriptions/${SUB}/resourceGroups/rg-ops/providers/Microsoft.Insights/actionGroups/ag-ops`,
          ],
        },
        visibility: { workspaceResourceId: law },
      },
    }),
  ],
];
export const vmwareCases: [string, VmwareScenarioProps][] = [
  ['defaults', vmwareProps({ replication: { applianceFabricName: 'fab', applianceContainerName: 'cont' } })],
  [
    'auto-upgrade off',
    vmwareProps({
      vault: { ...vmwareProps().vault, extensionUpdateSettings: { autoUpdateEnabled: false } },
      replication: { applianceFabricName: 'fab', applianceContainerName: 'cont' },
    }),
  ],
];

const vaultId = (rg: string, name: string) =>
  `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.RecoveryServices/vaults/${name}`;
const fleetAutomation = {
  name: 'aa-fleet-updates',
  resourceGroupName: 'rg-automation',
  location: 'westeurope',
  clock: fixedClock,
};
export const existingCases: [string, ExistingVaultsScenarioProps][] = [
  [
    'one vault',
    {
      vaults: [{ vaultResourceId: vaultId('rg-dr-weu', 'rsv-a'), sourceRegion: 'northeurope' }],
      automation: fleetAutomation,
    },
  ],
  [
    'three vaults in two time zones, user-hosted runbook, extra scope',
    {
      vaults: [
        { vaultResourceId: vaultId('rg-dr-weu', 'rsv-a'), sourceRegion: 'northeurope' },
        { vaultResourceId: vaultId('rg-dr-wus3', 'rsv-b'), sourceRegion: 'eastus' },
        { vaultResourceId: vaultId('rg-dr-uks', 'rsv-c'), timeZone: 'Europe/Dublin' },
      ],
      automation: {
        ...fleetAutomation,
        providers: ['InMageRcm'],
        additionalRoleScopes: [vaultId('rg-dr-x', 'rsv-extra')],
        runbookContentLink: { uri: 'https://example.org/r.ps1', sha256: 'AB'.repeat(32) },
        alerts: { failedJobAlertEnabled: false },
      },
    },
  ],
  [
    'estate visibility with every name given, at-risk alert off, silence alert after 30 h',
    {
      vaults: [{ vaultResourceId: vaultId('rg-dr-weu', 'rsv-a'), sourceRegion: 'northeurope' }],
      automation: {
        ...fleetAutomation,
        visibility: {
          workspaceResourceId: law,
          location: 'northeurope',
          dataCollectionEndpointName: 'dce-asr-estate',
          dataCollectionRuleName: 'dcr-asr-estate',
          workbookDisplayName: 'ASR agents',
          atRiskAlertEnabled: false,
          silenceAlertName: 'asr-vaults-silent',
          silenceAlertSeverity: 2,
          silenceAlertAfterHours: 30,
        },
      },
    },
  ],
  [
    'discovery by subscriptions, management group and tag, with a listed vault and a key',
    {
      vaults: [
        { vaultResourceId: vaultId('rg-dr-weu', 'rsv-a'), key: 'payments', sourceRegion: 'northeurope' },
      ],
      discovery: {
        subscriptionIds: [SUB],
        managementGroupId: 'mg-dr',
        tag: { name: 'asr-autoupdate', value: 'enabled' },
        excludeVaultResourceIds: [vaultId('rg-lab', 'rsv-lab')],
        timeZone: 'Europe/Amsterdam',
      },
      automation: fleetAutomation,
    },
  ],
];
