import {
  BUILT_IN_ROLES,
  contentAddressedBlobName,
  planScenario,
  resolveA2AScenario,
  resolveVmwareScenario,
  runbookAsset,
  runbookAssetFromContent,
  runbookLinkWindow,
  ValidationError,
  type A2AScenarioProps,
} from '../../constructs/domain/internal';
import { a2aProps, fixedClock, SUB, violationsOf, vmwareProps, vnet } from '../fixtures';

const props = (p: (b: A2AScenarioProps) => A2AScenarioProps) => p(a2aProps());

describe('A2A scenario defaults', () => {
  const spec = resolveA2AScenario(a2aProps());

  it('applies the documented vault defaults', () => {
    expect(spec.vault).toMatchObject({
      sku: 'Standard',
      storageModeType: 'GeoRedundant',
      softDeleteEnabled: true,
      publicNetworkAccessEnabled: true,
      immutability: 'Disabled',
      systemAssignedIdentityEnabled: true,
      alerts: { allJobFailuresEnabled: true, criticalOperationFailuresEnabled: true },
      extensionUpdateSettings: { autoUpdateEnabled: true },
    });
  });

  it('creates a secure automation account: identity only, local auth off, no public access', () => {
    expect(spec.automation).toMatchObject({
      name: 'rsv-dr-weu-asr-updates',
      skuName: 'Basic',
      authenticationType: 'SystemAssignedIdentity',
      localAuthenticationEnabled: false,
      publicNetworkAccessEnabled: false,
      resourceGroupName: 'rg-dr-weu',
      location: 'westeurope',
      tags: { env: 'test' },
    });
  });

  it('schedules daily midnight in the source region zone, from the injected clock', () => {
    expect(spec.automation?.schedule).toEqual({
      name: 'asr-mobility-autoupdate-daily',
      frequency: 'Day',
      interval: 1,
      timeZone: 'Europe/Dublin',
      timeOfDay: '00:00',
      startTime: '2026-11-23T00:00:00+00:00',
    });
  });

  it('passes lower-case job parameters for A2A', () => {
    const params = spec.automation!.jobParameters;
    expect(Object.keys(params).every((k) => k === k.toLowerCase())).toBe(true);
    expect(params).toEqual({
      vaultresourceid: '<vault.id>',
      autoupdateaction: 'Enabled',
      automationaccountarmid: '<automationAccount.id>',
      providers: 'A2A',
    });
  });

  it('embeds the runbook asset and runs it on a PowerShell 7.6 runtime environment created next to it', () => {
    expect(spec.automation!.runbook.asset).toBe(runbookAsset());
    expect(spec.automation!.runtime).toEqual({
      version: '7.6',
      runbookType: 'PowerShell',
      endOfSupport: null,
      environment: {
        name: 'asr-mobility-autoupdate-ps76',
        create: true,
        language: 'PowerShell',
        version: '7.6',
        defaultPackages: {},
        description:
          'PowerShell 7.6 for the Site Recovery Mobility-service auto-update runbook; no default packages.',
      },
    });
  });

  it('gives the identity Contributor on the vault only, as a service principal', () => {
    expect(spec.automation!.roleAssignments).toHaveLength(1);
    expect(spec.automation!.roleAssignments[0]).toMatchObject({
      roleDefinitionGuid: BUILT_IN_ROLES.Contributor,
      scope: { kind: 'vault' },
      principalType: 'ServicePrincipal',
    });
  });

  it('maps containers both ways with auto-update through the managed identity', () => {
    expect(spec.replication.mappings.map((m) => [m.name, m.from, m.to])).toEqual([
      ['northeurope-to-westeurope', 'source', 'target'],
      ['westeurope-to-northeurope', 'target', 'source'],
    ]);
    for (const m of spec.replication.mappings) {
      expect(m.autoUpdate).toEqual({
        enabled: true,
        automationAccount: { kind: 'managed' },
        authenticationType: 'SystemAssignedIdentity',
      });
    }
  });

  it('uses the documented policy defaults', () => {
    expect(spec.replication.policy).toEqual({
      name: 'asr-a2a-policy',
      instanceType: 'A2A',
      recoveryPointRetentionInMinutes: 1440,
      applicationConsistentSnapshotFrequencyInMinutes: 240,
      multiVmSyncEnabled: true,
      crashConsistentFrequencyInMinutes: undefined,
    });
  });

  it('warns nothing with the defaults (PowerShell 7.6)', () => {
    expect(spec.warnings).toEqual([]);
  });

  it('is deterministic: the same input gives the same spec and role assignment names', () => {
    const again = resolveA2AScenario(a2aProps());
    expect(planScenario(again)).toEqual(planScenario(spec));
  });
});

describe('A2A scenario options', () => {
  it('creates network mappings both ways when both networks are given', () => {
    const spec = resolveA2AScenario(
      props((b) => ({
        ...b,
        replication: {
          ...b.replication,
          sourceNetworkResourceId: vnet('rg-a', 'vnet-a'),
          targetNetworkResourceId: vnet('rg-b', 'vnet-b'),
        },
      })),
    );
    expect(
      spec.replication.networkMappings.map((n) => [
        n.name,
        n.sourceNetworkResourceId,
        n.targetNetworkResourceId,
      ]),
    ).toEqual([
      ['northeurope-to-westeurope-network', vnet('rg-a', 'vnet-a'), vnet('rg-b', 'vnet-b')],
      ['westeurope-to-northeurope-network', vnet('rg-b', 'vnet-b'), vnet('rg-a', 'vnet-a')],
    ]);
  });

  it('turns auto-update off explicitly on both mappings and creates no automation when disabled', () => {
    const spec = resolveA2AScenario(
      props((b) => ({ ...b, vault: { ...b.vault, extensionUpdateSettings: { autoUpdateEnabled: false } } })),
    );
    expect(spec.automation).toBeUndefined();
    expect(spec.replication.mappings.map((m) => m.autoUpdate)).toEqual([
      { enabled: false },
      { enabled: false },
    ]);
  });

  it('points mappings at an existing account and creates none when one is given', () => {
    const id = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Automation/automationAccounts/existing-aa`;
    const spec = resolveA2AScenario({
      ...a2aProps(),
      automation: undefined,
      vault: { ...a2aProps().vault, extensionUpdateSettings: { automationAccountResourceId: id } },
    });
    expect(spec.automation).toBeUndefined();
    expect(spec.replication.mappings[0]!.autoUpdate).toEqual({
      enabled: true,
      automationAccount: { kind: 'existing', resourceId: id },
      authenticationType: 'SystemAssignedIdentity',
    });
  });

  it('takes another role and extra scopes, with deterministic names, and warns about width', () => {
    const rg = `/subscriptions/${SUB}/resourceGroups/rg-dr-weu`;
    const spec = resolveA2AScenario(
      props((b) => ({
        ...b,
        automation: {
          clock: fixedClock,
          roleDefinition: 'Site Recovery Contributor',
          additionalRoleScopes: [rg],
        },
      })),
    );
    const ras = spec.automation!.roleAssignments;
    expect(ras.map((r) => r.roleDefinitionGuid)).toEqual([
      BUILT_IN_ROLES['Site Recovery Contributor'],
      BUILT_IN_ROLES['Site Recovery Contributor'],
    ]);
    expect(ras[1]!.scope).toEqual({
      kind: 'resource',
      resourceId: rg,
      subscriptionId: SUB,
      width: 'resourceGroup',
      propIndex: 0,
    });
    expect(new Set(ras.map((r) => r.name)).size).toBe(2);
    // Site Recovery Contributor publishes no vault-level list action (ASR-W07).
    expect(spec.warnings.map((w) => [w.ruleId, w.prop])).toEqual([
      ['ASR-W01', 'automation.additionalRoleScopes[0]'],
      ['ASR-W07', 'automation.roleDefinition'],
    ]);
  });

  it('lets a warning be suppressed with a reason', () => {
    const spec = resolveA2AScenario({
      ...a2aProps({ automation: { clock: fixedClock, additionalRoleScopes: [`/subscriptions/${SUB}`] } }),
      suppressions: [{ ruleId: 'ASR-W01', reason: 'central DR team owns the whole subscription' }],
    });
    expect(spec.warnings.map((w) => w.ruleId)).toEqual([]);
    expect(spec.automation!.roleAssignments[1]!.scope).toMatchObject({ width: 'subscription' });
  });

  it('warns when the identity gets Owner or the account public access', () => {
    const spec = resolveA2AScenario(
      a2aProps({
        automation: { clock: fixedClock, roleDefinition: 'Owner', publicNetworkAccessEnabled: true },
      }),
    );
    expect(spec.warnings.map((w) => w.ruleId)).toEqual(['ASR-W02', 'ASR-W03']);
  });

  it('honours an explicit time zone, time and start time', () => {
    const spec = resolveA2AScenario(
      a2aProps({
        automation: {
          clock: fixedClock,
          timeZone: 'Asia/Tokyo',
          timeOfDay: '02:30',
          startTime: '2027-01-01T02:30:00+09:00',
        },
      }),
    );
    expect(spec.automation!.schedule).toMatchObject({
      timeZone: 'Asia/Tokyo',
      timeOfDay: '02:30',
      startTime: '2027-01-01T02:30:00+09:00',
    });
  });
});

describe('A2A scenario validation', () => {
  const rule = (p: A2AScenarioProps) => violationsOf(() => resolveA2AScenario(p)).map((v) => v.prop);

  it.each<[string, (b: A2AScenarioProps) => A2AScenarioProps, string]>([
    [
      'the vault name starts with a digit',
      (b) => ({ ...b, vault: { ...b.vault, name: '1vault' } }),
      'vault.name',
    ],
    [
      'the vault name is too long',
      (b) => ({ ...b, vault: { ...b.vault, name: 'v'.repeat(51) } }),
      'vault.name',
    ],
    ['the vault name is missing', (b) => ({ ...b, vault: { ...b.vault, name: '' } }), 'vault.name'],
    [
      'the resource group name ends with a period',
      (b) => ({ ...b, vault: { ...b.vault, resourceGroupName: 'rg.' } }),
      'vault.resourceGroupName',
    ],
    [
      'the vault location is unknown',
      (b) => ({ ...b, vault: { ...b.vault, location: 'atlantis' } }),
      'vault.location',
    ],
    ['the sku is unknown', (b) => ({ ...b, vault: { ...b.vault, sku: 'Premium' as never } }), 'vault.sku'],
    [
      'the storage mode is unknown',
      (b) => ({ ...b, vault: { ...b.vault, storageModeType: 'Geo' as never } }),
      'vault.storageModeType',
    ],
    [
      'immutability is unknown',
      (b) => ({ ...b, vault: { ...b.vault, immutability: 'On' as never } }),
      'vault.immutability',
    ],
    [
      'cross-region restore lacks geo storage',
      (b) => ({
        ...b,
        vault: { ...b.vault, crossRegionRestoreEnabled: true, storageModeType: 'LocallyRedundant' },
      }),
      'vault.crossRegionRestoreEnabled',
    ],
    [
      'a boolean is a string',
      (b) => ({ ...b, vault: { ...b.vault, softDeleteEnabled: 'yes' as never } }),
      'vault.softDeleteEnabled',
    ],
    [
      'a tag name has a slash',
      (b) => ({ ...b, vault: { ...b.vault, tags: { 'a/b': 'x' } } }),
      'vault.tags.a/b',
    ],
    [
      'the lock kind is unknown',
      (b) => ({ ...b, vault: { ...b.vault, lock: { kind: 'Delete' as never } } }),
      'vault.lock.kind',
    ],
    [
      'a diagnostic setting has no destination',
      (b) => ({ ...b, vault: { ...b.vault, diagnosticSettings: [{ name: 'd' }] } }),
      'vault.diagnosticSettings[0].workspaceResourceId',
    ],
    [
      'a diagnostic workspace id is not a workspace',
      (b) => ({
        ...b,
        vault: { ...b.vault, diagnosticSettings: [{ workspaceResourceId: vnet('rg', 'v') }] },
      }),
      'vault.diagnosticSettings[0].workspaceResourceId',
    ],
    [
      'the existing automation account id is malformed',
      (b) => ({
        ...b,
        automation: undefined,
        vault: { ...b.vault, extensionUpdateSettings: { automationAccountResourceId: '/nope' } },
      }),
      'vault.extensionUpdateSettings.automationAccountResourceId',
    ],
    [
      'source and target regions are the same',
      (b) => ({
        ...b,
        vault: { ...b.vault, location: 'eastus' },
        replication: { ...b.replication, sourceRegion: 'westeurope', targetRegion: 'West Europe' },
      }),
      'replication.targetRegion',
    ],
    [
      'the vault sits in the source region',
      (b) => ({ ...b, vault: { ...b.vault, location: 'northeurope' } }),
      'replication.sourceRegion',
    ],
    [
      'the target region is unknown',
      (b) => ({ ...b, replication: { ...b.replication, targetRegion: 'moon' } }),
      'replication.targetRegion',
    ],
    [
      'retention exceeds 15 days',
      (b) => ({ ...b, replication: { ...b.replication, recoveryPointRetentionInMinutes: 21601 } }),
      'replication.recoveryPointRetentionInMinutes',
    ],
    [
      'retention is negative',
      (b) => ({ ...b, replication: { ...b.replication, recoveryPointRetentionInMinutes: -1 } }),
      'replication.recoveryPointRetentionInMinutes',
    ],
    [
      'retention is not an integer',
      (b) => ({ ...b, replication: { ...b.replication, recoveryPointRetentionInMinutes: 60.5 } }),
      'replication.recoveryPointRetentionInMinutes',
    ],
    [
      'snapshot frequency exceeds 12 hours',
      (b) => ({
        ...b,
        replication: { ...b.replication, applicationConsistentSnapshotFrequencyInMinutes: 721 },
      }),
      'replication.applicationConsistentSnapshotFrequencyInMinutes',
    ],
    [
      'snapshot frequency exceeds retention',
      (b) => ({
        ...b,
        replication: {
          ...b.replication,
          recoveryPointRetentionInMinutes: 120,
          applicationConsistentSnapshotFrequencyInMinutes: 180,
        },
      }),
      'replication.applicationConsistentSnapshotFrequencyInMinutes',
    ],
    [
      'snapshots are on while retention is 0',
      (b) => ({
        ...b,
        replication: {
          ...b.replication,
          recoveryPointRetentionInMinutes: 0,
          applicationConsistentSnapshotFrequencyInMinutes: 60,
        },
      }),
      'replication.applicationConsistentSnapshotFrequencyInMinutes',
    ],
    [
      'a fabric name has a space',
      (b) => ({ ...b, replication: { ...b.replication, sourceFabricName: 'my fabric' } }),
      'replication.sourceFabricName',
    ],
    [
      'both fabrics have one name',
      (b) => ({ ...b, replication: { ...b.replication, sourceFabricName: 'f', targetFabricName: 'f' } }),
      'replication.targetFabricName',
    ],
    [
      'only one network is given',
      (b) => ({ ...b, replication: { ...b.replication, sourceNetworkResourceId: vnet('rg', 'v') } }),
      'replication.targetNetworkResourceId',
    ],
    [
      'a network id is not a virtual network',
      (b) => ({
        ...b,
        replication: {
          ...b.replication,
          sourceNetworkResourceId: `/subscriptions/${SUB}/resourceGroups/rg`,
          targetNetworkResourceId: vnet('rg', 'v'),
        },
      }),
      'replication.sourceNetworkResourceId',
    ],
    [
      'RunAsAccount is asked for',
      (b) => ({ ...b, automation: { clock: fixedClock, authenticationType: 'RunAsAccount' as never } }),
      'automation.authenticationType',
    ],
    [
      'the account name is too short',
      (b) => ({ ...b, automation: { clock: fixedClock, name: 'aa-1' } }),
      'automation.name',
    ],
    [
      'the account name ends with a hyphen',
      (b) => ({ ...b, automation: { clock: fixedClock, name: 'account-' } }),
      'automation.name',
    ],
    [
      'the time zone is a Windows name',
      (b) => ({ ...b, automation: { clock: fixedClock, timeZone: 'W. Europe Standard Time' } }),
      'automation.timeZone',
    ],
    [
      'the time of day is 24:00',
      (b) => ({ ...b, automation: { clock: fixedClock, timeOfDay: '24:00' } }),
      'automation.timeOfDay',
    ],
    [
      'the start time has no offset',
      (b) => ({ ...b, automation: { clock: fixedClock, startTime: '2027-01-01T00:00:00' } }),
      'automation.startTime',
    ],
    [
      'the role is unknown',
      (b) => ({ ...b, automation: { clock: fixedClock, roleDefinition: 'Superuser' } }),
      'automation.roleDefinition',
    ],
    [
      'an extra scope is not a resource id',
      (b) => ({ ...b, automation: { clock: fixedClock, additionalRoleScopes: ['rg-dr'] } }),
      'automation.additionalRoleScopes[0]',
    ],
    [
      'an extra scope repeats',
      (b) => ({
        ...b,
        automation: {
          clock: fixedClock,
          additionalRoleScopes: [`/subscriptions/${SUB}`, `/subscriptions/${SUB}/`],
        },
      }),
      'automation.additionalRoleScopes[1]',
    ],
    [
      'the runbook name has a dot',
      (b) => ({ ...b, automation: { clock: fixedClock, runbookName: 'run.book' } }),
      'automation.runbookName',
    ],
    [
      'automation settings sit beside an existing account',
      (b) => ({
        ...b,
        automation: { clock: fixedClock, name: 'aa-mine-01' },
        vault: {
          ...b.vault,
          extensionUpdateSettings: {
            automationAccountResourceId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Automation/automationAccounts/aa-existing`,
          },
        },
      }),
      'automation',
    ],
    [
      'a suppression has no reason',
      (b) => ({ ...b, suppressions: [{ ruleId: 'ASR-W01', reason: '' }] }),
      'suppressions[0].reason',
    ],
    [
      'a suppression names an error rule',
      (b) => ({ ...b, suppressions: [{ ruleId: 'ASR-E01', reason: 'we really want this' }] }),
      'suppressions[0].ruleId',
    ],
    [
      'a suppression names no rule',
      (b) => ({ ...b, suppressions: [{ ruleId: 'ASR-X99', reason: 'we really want this' }] }),
      'suppressions[0].ruleId',
    ],
  ])('fails when %s', (_, change, prop) => {
    expect(rule(props(change))).toEqual([prop]);
  });

  it('fails when the source region is unknown and suggests the timeZone prop', () => {
    const v = violationsOf(() =>
      resolveA2AScenario(
        props((b) => ({ ...b, replication: { ...b.replication, sourceRegion: 'moonbase' } })),
      ),
    );
    expect(v.map((x) => x.prop)).toEqual(['replication.sourceRegion', 'automation.sourceRegion']);
    expect(v[1]!.rule).toMatch(/set the timeZone prop/);
  });

  it('reports every violation in one error that names prop, value and rule', () => {
    let error: unknown;
    try {
      resolveA2AScenario(
        props((b) => ({
          ...b,
          vault: { ...b.vault, name: '1' },
          replication: { ...b.replication, recoveryPointRetentionInMinutes: 99999 },
          automation: { clock: fixedClock, authenticationType: 'RunAsAccount' as never },
        })),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const message = (error as Error).message;
    expect(message).toMatch(/^A2A scenario: 3 invalid props:/);
    expect(message).toContain('vault.name: received "1"; a vault name has 2-50 characters');
    expect(message).toContain(
      'replication.recoveryPointRetentionInMinutes: received 99999; must be an integer from 0 to 21600 minutes',
    );
    expect(message).toContain(
      'automation.authenticationType: received "RunAsAccount"; RunAsAccount is refused: Azure Automation Run As accounts were retired on 2023-09-30',
    );
  });
});

describe('VMware scenario', () => {
  it('turns classic VMware replication off and enforces InMageRcm through the runbook', () => {
    const spec = resolveVmwareScenario(vmwareProps());
    expect(spec.vault.classicVmwareReplicationEnabled).toBe(false);
    expect(spec.automation!.jobParameters).toEqual({
      vaultresourceid: '<vault.id>',
      autoupdateaction: 'Enabled',
      automationaccountarmid: '<automationAccount.id>',
      providers: 'InMageRcm',
    });
    expect(spec.automation!.schedule.timeZone).toBe('Europe/Amsterdam');
    expect(spec.replication).toEqual({
      policy: {
        name: 'asr-inmagercm-policy',
        instanceType: 'InMageRcm',
        recoveryPointRetentionInMinutes: 1440,
        applicationConsistentSnapshotFrequencyInMinutes: 240,
        multiVmSyncEnabled: true,
        crashConsistentFrequencyInMinutes: 10,
      },
      association: { name: 'asr-inmagercm-policy-association' },
      appliance: undefined,
      acceptManualAgentUpgrades: false,
    });
  });

  it('enforces Disabled when auto-update is off', () => {
    const spec = resolveVmwareScenario(
      vmwareProps({
        vault: { ...vmwareProps().vault, extensionUpdateSettings: { autoUpdateEnabled: false } },
      }),
    );
    expect(spec.automation!.jobParameters.autoupdateaction).toBe('Disabled');
  });

  it('fails when public network access is off and auto-upgrade is on, quoting the rule', () => {
    const v = violationsOf(() =>
      resolveVmwareScenario(
        vmwareProps({ vault: { ...vmwareProps().vault, publicNetworkAccessEnabled: false } }),
      ),
    );
    expect(v.map((x) => x.prop)).toEqual(['vault.publicNetworkAccessEnabled']);
    expect(v[0]!.rule).toContain("When you enable private endpoints, automatic updates won't be available.");
  });

  it('accepts manual upgrades behind private endpoints: no runbook, and a warning', () => {
    const spec = resolveVmwareScenario(
      vmwareProps({
        vault: { ...vmwareProps().vault, publicNetworkAccessEnabled: false },
        replication: { acceptManualAgentUpgrades: true },
      }),
    );
    expect(spec.automation).toBeUndefined();
    expect(spec.warnings.map((w) => w.ruleId)).toEqual(['ASR-W04']);
  });

  it.each<[string, Parameters<typeof vmwareProps>[0], string]>([
    [
      'a prop is misspelt',
      { vault: { ...vmwareProps().vault, classicVmwareReplicationEnabled: true } as never },
      'vault.classicVmwareReplicationEnabled',
    ],
    [
      'an existing automation account is given',
      {
        vault: {
          ...vmwareProps().vault,
          extensionUpdateSettings: {
            automationAccountResourceId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Automation/automationAccounts/aa-existing`,
          },
        },
      },
      'vault.extensionUpdateSettings.automationAccountResourceId',
    ],
    [
      'the policy name has an underscore',
      { replication: { policyName: 'my_policy' } },
      'replication.policyName',
    ],
    [
      'retention is above 15 days',
      { replication: { recoveryPointRetentionInMinutes: 30000 } },
      'replication.recoveryPointRetentionInMinutes',
    ],
    [
      'snapshot frequency exceeds retention',
      {
        replication: {
          recoveryPointRetentionInMinutes: 60,
          applicationConsistentSnapshotFrequencyInMinutes: 120,
        },
      },
      'replication.applicationConsistentSnapshotFrequencyInMinutes',
    ],
  ])('fails when %s', (_, change, prop) => {
    expect(violationsOf(() => resolveVmwareScenario(vmwareProps(change))).map((v) => v.prop)).toEqual([prop]);
  });
});

describe('props from JSON configuration', () => {
  it.each<[string, A2AScenarioProps, string]>([
    ['a scenario key is misspelt', { ...a2aProps(), replicaton: {} } as never, 'replicaton'],
    [
      'a vault prop is misspelt',
      { ...a2aProps(), vault: { ...a2aProps().vault, softDelete: false } as never },
      'vault.softDelete',
    ],
    [
      'an automation prop is misspelt',
      a2aProps({ automation: { clock: fixedClock, timezone: 'Europe/Paris' } as never }),
      'automation.timezone',
    ],
    [
      'a replication prop is misspelt',
      a2aProps({
        replication: { sourceRegion: 'northeurope', targetRegion: 'westeurope', retention: 1 } as never,
      }),
      'replication.retention',
    ],
    [
      'a lock prop is misspelt',
      { ...a2aProps(), vault: { ...a2aProps().vault, lock: { kind: 'CanNotDelete', level: 'x' } as never } },
      'vault.lock.level',
    ],
  ])('fails when %s', (_, props, prop) => {
    const v = violationsOf(() => resolveA2AScenario(props));
    expect(v.map((x) => x.prop)).toEqual([prop]);
    expect(v[0]!.rule).toMatch(/^is not a known prop; allowed: /);
  });
});

describe('runbook source and job schedule id', () => {
  const link = { uri: 'https://example.org/runbooks/Set-AsrMobilityAutoUpdate.ps1', sha256: 'ab'.repeat(32) };

  it('records a user-hosted link with an upper-case hash', () => {
    const spec = resolveA2AScenario(
      a2aProps({ automation: { clock: fixedClock, runbookContentLink: link } }),
    );
    expect(spec.automation!.runbook.contentLink).toEqual({ uri: link.uri, sha256: 'AB'.repeat(32) });
  });

  it.each<[string, object, string]>([
    [
      'the link is not https',
      { runbookContentLink: { ...link, uri: 'http://example.org/x.ps1' } },
      'automation.runbookContentLink.uri',
    ],
    [
      'the hash is not 64 hex characters',
      { runbookContentLink: { ...link, sha256: 'abc' } },
      'automation.runbookContentLink.sha256',
    ],
    [
      'the storage account name has capitals',
      { runbookHosting: 'storage', runbookStorage: { accountName: 'MyRunbooks' } },
      'automation.runbookStorage.accountName',
    ],
    [
      'the SAS validity is over a week',
      { runbookHosting: 'storage', runbookStorage: { sasValidityInHours: 169 } },
      'automation.runbookStorage.sasValidityInHours',
    ],
    [
      'runbookHosting is neither publish nor storage',
      { runbookHosting: 'blob' },
      'automation.runbookHosting',
    ],
    [
      'runbookStorage is given without the storage hosting',
      { runbookStorage: { accountName: 'stasrrunbooks' } },
      'automation.runbookStorage',
    ],
    [
      "runbookStorage is given with runbookHosting: 'publish'",
      { runbookHosting: 'publish', runbookStorage: {} },
      'automation.runbookStorage',
    ],
  ])('fails when %s', (_, automation, prop) => {
    expect(
      violationsOf(() =>
        resolveA2AScenario(a2aProps({ automation: { clock: fixedClock, ...automation } })),
      ).map((v) => v.prop),
    ).toEqual([prop]);
  });

  it("publishes through Resource Manager by default: hosting 'publish', no storage", () => {
    const runbook = resolveA2AScenario(a2aProps({ automation: { clock: fixedClock } })).automation!.runbook;
    expect(runbook.hosting).toBe('publish');
    expect(runbook.storage).toBeUndefined();
  });

  it("derives a valid storage account name, a content-addressed blob and an hour-aligned link anchor with runbookHosting: 'storage'", () => {
    const runbook = resolveA2AScenario(
      a2aProps({
        automation: { runbookHosting: 'storage', clock: () => new Date('2026-11-22T10:42:13Z') },
      }),
    ).automation!.runbook;
    expect(runbook.hosting).toBe('storage');
    const storage = runbook.storage!;
    const key = runbookAsset().sha256.slice(0, 16).toLowerCase();
    expect(storage.accountName).toMatch(/^asrrb[0-9a-f]{19}$/);
    expect(storage).toMatchObject({
      containerName: 'runbooks',
      blobName: `Set-AsrMobilityAutoUpdate-${key}.ps1`,
      contentKey: key,
      sasValidityInHours: 48,
      linkAnchor: '2026-11-22T10:00:00Z',
    });
  });

  it('derives the link window from the recorded anchor only, never from the clock', () => {
    expect(runbookLinkWindow('2026-11-22T10:00:00Z', 48)).toEqual({
      start: '2026-11-22T10:00:00Z',
      expiry: '2026-11-24T10:00:00Z',
    });
    expect(runbookLinkWindow('2026-11-22T10:42:13Z', 1)).toEqual({
      start: '2026-11-22T10:00:00Z',
      expiry: '2026-11-22T11:00:00Z',
    });
    expect(() => runbookLinkWindow('yesterday', 48)).toThrow(RangeError);
    expect(() => runbookLinkWindow('2026-11-22T10:00:00Z', 0)).toThrow(RangeError);
  });

  it('names the blob after the content: other content, other blob', () => {
    const a = runbookAssetFromContent("$RunbookVersion = '1.0.0'\n");
    const b = runbookAssetFromContent("$RunbookVersion = '1.0.0'\n# changed\n");
    expect(contentAddressedBlobName(a)).not.toBe(contentAddressedBlobName(b));
    expect(contentAddressedBlobName(a)).toBe(
      `Set-AsrMobilityAutoUpdate-${a.sha256.slice(0, 16).toLowerCase()}.ps1`,
    );
  });

  it('gives the job schedule the same id on every resolve, and another id for another account', () => {
    const a = resolveA2AScenario(a2aProps()).automation!.jobScheduleId;
    expect(resolveA2AScenario(a2aProps()).automation!.jobScheduleId).toBe(a);
    expect(
      resolveA2AScenario(a2aProps({ automation: { clock: fixedClock, name: 'aa-other-01' } })).automation!
        .jobScheduleId,
    ).not.toBe(a);
  });
});

describe('VMware appliance names', () => {
  it('are optional for engines that discover them', () => {
    expect(resolveVmwareScenario(vmwareProps()).replication.appliance).toBeUndefined();
  });

  it('fails when an engine needs them and they are missing', () => {
    const v = violationsOf(() =>
      resolveVmwareScenario(vmwareProps(), { applianceNamesRequired: true, engine: 'Pulumi (azure-native)' }),
    );
    expect(v.map((x) => x.prop)).toEqual(['replication.applianceFabricName']);
    expect(v[0]!.rule).toMatch(/^is required with Pulumi \(azure-native\), which cannot discover/);
  });

  it('fails when only one of the two is given', () => {
    expect(
      violationsOf(() =>
        resolveVmwareScenario(vmwareProps({ replication: { applianceFabricName: 'fab' } })),
      ).map((v) => v.prop),
    ).toEqual(['replication.applianceContainerName']);
  });

  it('are carried when both are given', () => {
    const spec = resolveVmwareScenario(
      vmwareProps({ replication: { applianceFabricName: 'fab', applianceContainerName: 'cont' } }),
      { applianceNamesRequired: true },
    );
    expect(spec.replication.appliance).toEqual({ fabricName: 'fab', containerName: 'cont' });
  });
});
