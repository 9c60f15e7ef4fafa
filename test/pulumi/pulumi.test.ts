import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { BUILT_IN_ROLES, runbookAsset, type A2AScenarioProps } from '../../constructs/domain/internal';
import {
  A2AMobilityAutoUpdate,
  AutoUpdateAutomation,
  RecoveryVault,
  VmwareMobilityAutoUpdate,
  VmwareReplication,
} from '../../constructs/pulumi';
import { A2AStack } from '../../stacks/cdktf/stacks';
import { CONFIG_KEYS, readValues, scenarioFromConfig } from '../../stacks/pulumi/config';
import {
  readStackFile,
  runOffline,
  runOfflineProgram,
  type GraphNode,
  type OfflinePreview,
} from '../../stacks/pulumi/offline';
import { PROJECT_NAME, renderPulumiYaml } from '../../stacks/pulumi/project-file';
import { testApp } from '../cdktf/helpers';
import { a2aProps, fixedClock, vmwareProps } from '../fixtures';

const root = join(__dirname, '..', '..');
const example = (stack: string): Promise<OfflinePreview> => {
  const { config } = readStackFile(join(root, `Pulumi.${stack}.yaml`));
  return runOffline(config, { project: PROJECT_NAME, stack, clock: fixedClock });
};
const byType = (p: OfflinePreview, type: string): GraphNode[] =>
  p.resources.filter((r) => r.type === `azure-native:${type}`);
const one = (p: OfflinePreview, type: string): GraphNode => {
  const all = byType(p, type);
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0]!;
};
type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('a2a example stack under mocks', () => {
  let p: OfflinePreview;
  beforeAll(async () => {
    p = await example('a2a');
  });

  it('matches the committed snapshot', () => {
    expect(p).toMatchSnapshot();
  });

  it('uses this package type tokens, parents every child, and prefixes child names with the parent name', () => {
    const components = p.resources.filter(
      (r) =>
        !r.type.startsWith('azure-native:') &&
        !r.type.startsWith('pulumi-nodejs:dynamic/') &&
        !r.type.startsWith('pulumi:providers:'),
    );
    expect(components.map((c) => c.type)).toEqual([
      'asr-mobility-autoupdate:scenarios:A2AMobilityAutoUpdate',
      'asr-mobility-autoupdate:recoveryservices:RecoveryVault',
      'asr-mobility-autoupdate:automation:AutoUpdateAutomation',
      'asr-mobility-autoupdate:recoveryservices:A2AReplication',
    ]);
    for (const r of p.resources.slice(1)) {
      expect(r.parent).not.toBeNull();
      expect(r.name.startsWith(`${r.parent!.split('::')[1]}-`)).toBe(true);
    }
  });

  it('sends SystemAssignedIdentity and the automation account on both mappings', () => {
    const account = one(p, 'automation:AutomationAccount');
    for (const m of byType(p, 'recoveryservices:ReplicationProtectionContainerMapping')) {
      expect((m.inputs as Inputs).properties.providerSpecificInput).toEqual({
        instanceType: 'A2A',
        agentAutoUpdateStatus: 'Enabled',
        automationAccountAuthenticationType: 'SystemAssignedIdentity',
        automationAccountArmId: expect.stringMatching(
          new RegExp(`/automationAccounts/${(account.inputs as Inputs).automationAccountName}$`),
        ),
      });
    }
    expect(JSON.stringify(p)).not.toContain('RunAsAccount');
  });

  it('creates the account with identity only, local auth off and no public access', () => {
    expect(one(p, 'automation:AutomationAccount').inputs).toMatchObject({
      identity: { type: 'SystemAssigned' },
      disableLocalAuth: true,
      publicNetworkAccess: false,
      sku: { name: 'Basic' },
    });
  });

  it('publishes exactly the shipped content through Resource Manager: an empty draft, then RunbookContent', () => {
    const rb = one(p, 'automation:Runbook');
    expect(rb.inputs).toMatchObject({ runbookType: 'PowerShell', draft: {} });
    expect((rb.inputs as Inputs).publishContentLink).toBeUndefined();
    const content = p.resources.filter(
      (r) => r.type === 'pulumi-nodejs:dynamic/asr-mobility-autoupdate:RunbookContent',
    );
    expect(content).toHaveLength(1);
    expect(content[0]!.parent).toBe(rb.parent);
    expect(content[0]!.name).toBe(`${rb.name}-content`);
    const inputs = content[0]!.inputs as Inputs;
    expect(inputs).toMatchObject({
      // The offline preview shows the script by its SHA-256.
      content: { sha256: runbookAsset().sha256 },
      contentSha256: runbookAsset().sha256,
      republishKey: expect.stringMatching(/^[0-9A-F]{64}$/),
      armEndpoint: 'https://management.azure.com',
      // The deployer's token is a secret input (here the offline placeholder), never an output.
      accessToken: { '[secret]': '[offline preview: not a token]' },
    });
    expect(inputs.runbookId).toMatch(/\/runbooks\/Set-AsrMobilityAutoUpdate$/);
    expect(inputs.__provider).toBe('[serialized dynamic provider]');
  });

  it('declares no storage account, container or blob by default', () => {
    expect(p.resources.filter((r) => r.type.startsWith('azure-native:storage:'))).toEqual([]);
  });

  it('runs the runbook on a PowerShell 7.6 runtime environment it creates in the account, with no packages', () => {
    const env = one(p, 'automation:RuntimeEnvironment');
    expect(env.inputs).toMatchObject({
      automationAccountName: 'rsv-asr-a2a-weu-asr-updates',
      runtimeEnvironmentName: 'asr-mobility-autoupdate-ps76',
      language: 'PowerShell',
      version: '7.6',
      defaultPackages: {},
      location: 'westeurope',
    });
    expect(env.parent).toBe(one(p, 'automation:Runbook').parent);
    expect(one(p, 'automation:Runbook').inputs).toMatchObject({
      runbookType: 'PowerShell',
      runtimeEnvironment: 'asr-mobility-autoupdate-ps76',
    });
  });

  it('schedules midnight in the source region zone and ignores the start time after creation', () => {
    const s = one(p, 'automation:Schedule');
    expect(s.inputs).toMatchObject({
      frequency: 'Day',
      interval: 1,
      timeZone: 'Europe/Dublin',
      startTime: '2026-11-23T00:00:00+00:00',
    });
    expect(s.ignoreChanges).toEqual(['startTime']);
  });

  it('passes lower-case job parameters and a deterministic job schedule id', () => {
    const js = one(p, 'automation:JobSchedule').inputs as Inputs;
    // The example names a workspace: the runbook also gets the ingestion parameters (visibility.test.ts).
    expect(Object.keys(js.parameters).sort()).toEqual([
      'automationaccountarmid',
      'autoupdateaction',
      'ingestionendpoint',
      'ingestionruleid',
      'providers',
      'vaultresourceid',
    ]);
    expect(js.parameters).toMatchObject({ autoupdateaction: 'Enabled', providers: 'A2A' });
    expect(js.jobScheduleId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-/);
  });

  it('scopes the role to the vault as a service principal, with a subscription-scoped role id', () => {
    // The other assignment is the estate's, on the data collection rule (visibility.test.ts).
    const all = byType(p, 'authorization:RoleAssignment').map((r) => r.inputs as Inputs);
    const onVault = all.filter((a) => String(a.scope).includes('/Microsoft.RecoveryServices/vaults/'));
    const others = all.filter((a) => !onVault.includes(a));
    expect(others.map((o) => o.scope)).toEqual([expect.stringMatching(/\/dataCollectionRules\//)]);
    expect(onVault).toHaveLength(1);
    const ra = onVault[0]!;
    expect(ra.scope).toMatch(/\/providers\/Microsoft\.RecoveryServices\/vaults\/rsv-asr-a2a-weu$/);
    expect(ra.principalType).toBe('ServicePrincipal');
    expect(ra.roleDefinitionId).toBe(
      `/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.Contributor}`,
    );
  });

  it('declares the protection containers as generic ARM resources under their fabrics', () => {
    const containers = byType(p, 'resources:Resource').map((r) => r.inputs as Inputs);
    expect(containers.map((c) => [c.resourceType, c.resourceName, c.parentResourcePath])).toEqual([
      [
        'replicationProtectionContainers',
        'asr-container-northeurope',
        'vaults/rsv-asr-a2a-weu/replicationFabrics/asr-fabric-northeurope',
      ],
      [
        'replicationProtectionContainers',
        'asr-container-westeurope',
        'vaults/rsv-asr-a2a-weu/replicationFabrics/asr-fabric-westeurope',
      ],
    ]);
  });
});

describe('vmware example stack under mocks', () => {
  let p: OfflinePreview;
  beforeAll(async () => {
    p = await example('vmware');
  });

  it('matches the committed snapshot', () => {
    expect(p).toMatchSnapshot();
  });

  it('creates the InMageRcm policy with the configured ranges', () => {
    expect(
      (one(p, 'recoveryservices:ReplicationPolicy').inputs as Inputs).properties.providerSpecificInput,
    ).toEqual({
      instanceType: 'InMageRcm',
      recoveryPointHistoryInMinutes: 4320,
      appConsistentFrequencyInMinutes: 240,
      crashConsistentFrequencyInMinutes: 10,
      enableMultiVmSync: 'True',
    });
  });

  it('associates the policy with the appliance container, as azurerm does', () => {
    const a = one(p, 'resources:Resource').inputs as Inputs;
    expect(a.parentResourcePath).toBe(
      'vaults/rsv-asr-vmware-weu/replicationFabrics/asr-appliance-fabric-weu/replicationProtectionContainers/asr-appliance-container-weu',
    );
    expect(a.properties).toMatchObject({
      targetProtectionContainerId: 'Microsoft Azure',
      providerSpecificInput: {},
    });
  });

  it('runs the runbook for InMageRcm', () => {
    expect((one(p, 'automation:JobSchedule').inputs as Inputs).parameters).toMatchObject({
      providers: 'InMageRcm',
      autoupdateaction: 'Enabled',
    });
  });
});

describe('policy warnings under Pulumi', () => {
  it('reports a role scope wider than the vault on the Pulumi log', async () => {
    const warn = jest.spyOn(pulumi.log, 'warn').mockResolvedValue(undefined);
    try {
      await runOfflineProgram(
        () =>
          new A2AMobilityAutoUpdate(
            'a2a',
            a2aProps({
              automation: {
                clock: fixedClock,
                additionalRoleScopes: ['/subscriptions/00000000-0000-0000-0000-000000000001'],
              },
            }),
          ),
        { project: PROJECT_NAME, stack: 'warnings' },
      );
      expect(warn.mock.calls.map((c) => c[0])).toEqual([
        expect.stringMatching(/^\[ASR-W01\] automation\.additionalRoleScopes\[0\]: .*whole subscription/),
      ]);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('ASR-W06 under Pulumi', () => {
  /** What the Pulumi log was told while `run` ran. */
  async function warnedDuring(run: () => Promise<unknown>): Promise<string[]> {
    const warn = jest.spyOn(pulumi.log, 'warn').mockResolvedValue(undefined);
    try {
      await run();
      return warn.mock.calls.map((c) => c[0]);
    } finally {
      warn.mockRestore();
    }
  }
  const W06 =
    "[ASR-W06] automation.runtime.version: PowerShell 7.4 reached the end of its community support on 2026-11-10: use version '7.6' (the default), which Azure Automation runs and PowerShell still supports";

  // The example existing stack discovers vaults by subscription, so ASR-W01 reports the custom role's scope.
  const W01 =
    "[ASR-W01] discovery.subscriptionIds[0]: the automation identity gets the library's custom role on a whole subscription so that the runbook finds and reconciles the vaults in it (discovery): only Site Recovery's vault read, container-mapping read and write, operation status and protected-item read, but on every Recovery Services vault in the subscription, those the tag or exclusions leave out included";
  it.each([
    ['a2a', [] as string[]],
    ['vmware', [] as string[]],
    ['existing', [W01]],
  ])('reports no runtime warning for the %s example stack (7.6, the default)', async (stack, expected) => {
    expect(await warnedDuring(() => example(stack))).toEqual(expected);
  });

  it('reports it on 7.4, and nothing when it is suppressed with a reason', async () => {
    const on74 = (suppressions?: { ruleId: string; reason: string }[]) =>
      runOfflineProgram(
        () =>
          new A2AMobilityAutoUpdate(
            'a2a',
            a2aProps({ automation: { clock: fixedClock, runtime: { version: '7.4' } }, suppressions }),
          ),
        { project: PROJECT_NAME, stack: 'w06' },
      );
    expect(await warnedDuring(() => on74())).toEqual([W06]);
    expect(
      await warnedDuring(() =>
        on74([{ ruleId: 'ASR-W06', reason: 'modules not yet tested on 7.6; we move in January' }]),
      ),
    ).toEqual([]);
  });

  it('fails when the version is 7.2, naming its retirement in Automation', () => {
    expect(
      () =>
        new A2AMobilityAutoUpdate(
          'a2a',
          a2aProps({ automation: { clock: fixedClock, runtime: { version: '7.2' as never } } }),
        ),
    ).toThrow(
      /^A2A scenario: 1 invalid prop:\n {2}- automation\.runtime\.version: received "7\.2"; PowerShell 7\.2 was retired in Azure Automation on 2026-09-30 \(Azure Update 567556\), so a runbook on it would not run: use '7\.6' \(the default\) or '7\.4'$/,
    );
  });
});

describe('validation under Pulumi', () => {
  /** Counts registrations while running `fn`, which must throw. */
  async function registrationsBeforeError(fn: () => void): Promise<{ error: Error; registered: number }> {
    let registered = 0;
    await pulumi.runtime.setMocks(
      { newResource: (a) => ((registered += 1), { id: 'x', state: a.inputs }), call: () => ({}) },
      PROJECT_NAME,
      'errors',
      true,
    );
    let error: Error | undefined;
    try {
      fn();
    } catch (e) {
      error = e as Error;
    }
    await new Promise((r) => setTimeout(r, 50));
    if (!error) throw new Error('expected an error');
    return { error, registered };
  }

  const bad: A2AScenarioProps = a2aProps({
    vault: { ...a2aProps().vault, name: '9' },
    automation: { clock: fixedClock, authenticationType: 'RunAsAccount' as never },
  });

  it('raises the same error as cdktf, before any resource is registered', async () => {
    let cdktfError: Error | undefined;
    try {
      new A2AStack(testApp(), 'a2a', bad);
    } catch (e) {
      cdktfError = e as Error;
    }
    const { error, registered } = await registrationsBeforeError(() => new A2AMobilityAutoUpdate('a2a', bad));
    expect(error.message).toBe(cdktfError!.message);
    expect(error.message).toMatch(/^A2A scenario: 2 invalid props:/);
    expect(registered).toBe(0);
  });

  it('fails before registering when the VMware appliance names are missing', async () => {
    const { error, registered } = await registrationsBeforeError(
      () => new VmwareMobilityAutoUpdate('vmware', vmwareProps()),
    );
    expect(error.message).toMatch(
      /replication\.applianceFabricName: received undefined; is required with Pulumi \(azure-native\)/,
    );
    expect(registered).toBe(0);
  });

  it('validates the building blocks on their own', async () => {
    const checked: string[] = [];
    await runOfflineProgram(
      () => {
        const vault = new RecoveryVault('v', {
          name: 'rsv-ok',
          resourceGroupName: 'rg',
          location: 'westeurope',
        });
        expect(
          () =>
            new AutoUpdateAutomation('a', {
              vault,
              sourceRegion: 'westeurope',
              authenticationType: 'RunAsAccount' as never,
            }),
        ).toThrow(/^AutoUpdateAutomation: 1 invalid prop/);
        expect(() => new VmwareReplication('r', { vault })).toThrow(
          /^VmwareReplication: 1 invalid prop:\n {2}- applianceFabricName/,
        );
        checked.push('done');
      },
      { project: PROJECT_NAME, stack: 'blocks' },
    );
    expect(checked).toEqual(['done']);
  });

  it('composes building blocks by hand with a user-hosted runbook, and hosts nothing then', async () => {
    const preview = await runOfflineProgram(
      () => {
        const vault = new RecoveryVault('team-vault', {
          name: 'rsv-team',
          resourceGroupName: 'rg-team',
          location: 'swedencentral',
        });
        new AutoUpdateAutomation('team-updates', {
          vault,
          sourceRegion: 'germanywestcentral',
          clock: fixedClock,
          runbookContentLink: { uri: 'https://example.org/r.ps1', sha256: 'ab'.repeat(32) },
        });
      },
      { project: PROJECT_NAME, stack: 'team' },
    );
    expect(preview.resources.filter((r) => r.type.startsWith('azure-native:storage:'))).toEqual([]);
    const rb = preview.resources.find((r) => r.type === 'azure-native:automation:Runbook')!.inputs as Inputs;
    expect(rb.publishContentLink).toEqual({
      uri: 'https://example.org/r.ps1',
      contentHash: { algorithm: 'SHA256', value: 'AB'.repeat(32) },
    });
  });
});

describe('runbook hosting under Pulumi', () => {
  const STORAGE = 'azure-native:storage:StorageAccount';

  it.each(['a2a', 'vmware', 'existing'])(
    'the %s example stack declares no storage account at all (so none with shared-key or public network access)',
    async (stack) => {
      const preview = await example(stack);
      expect(preview.resources.filter((r) => r.type.startsWith('azure-native:storage:'))).toEqual([]);
      expect(
        preview.resources.filter(
          (r) => r.type === 'pulumi-nodejs:dynamic/asr-mobility-autoupdate:RunbookContent',
        ),
      ).toHaveLength(1);
    },
  );

  it("hosts the runbook on a private storage account only with runbookHosting: 'storage'", async () => {
    const preview = await runOfflineProgram(
      () => {
        const vault = new RecoveryVault('team-vault', {
          name: 'rsv-team',
          resourceGroupName: 'rg-team',
          location: 'swedencentral',
        });
        new AutoUpdateAutomation('team-updates', {
          vault,
          sourceRegion: 'germanywestcentral',
          clock: fixedClock,
          runbookHosting: 'storage',
        });
      },
      { project: PROJECT_NAME, stack: 'team' },
    );
    expect(preview.resources.filter((r) => r.type === STORAGE).map((r) => r.inputs)).toEqual([
      expect.objectContaining({
        allowBlobPublicAccess: false,
        enableHttpsTrafficOnly: true,
        minimumTlsVersion: 'TLS1_2',
        // What a service SAS and Automation's fetch need: the reason 'publish' is the default.
        allowSharedKeyAccess: true,
        publicNetworkAccess: 'Enabled',
      }),
    ]);
    expect(
      preview.resources.find((r) => r.type === 'azure-native:storage:BlobContainer')!.inputs,
    ).toMatchObject({
      publicAccess: 'None',
      containerName: 'runbooks',
    });
    expect(
      (preview.resources.find((r) => r.type === 'azure-native:storage:Blob')!.inputs as Inputs).source,
    ).toEqual({
      stringAssetSha256: runbookAsset().sha256,
    });
    const rb = preview.resources.find((r) => r.type === 'azure-native:automation:Runbook')!.inputs as Inputs;
    expect(rb.draft).toBeUndefined();
    const link = rb.publishContentLink['[secret]'];
    expect(link.contentHash).toEqual({ algorithm: 'SHA256', value: runbookAsset().sha256 });
    expect(link.uri).toMatch(
      /^https:\/\/asrrb[0-9a-f]{19}\.blob\.core\.windows\.net\/runbooks\/Set-AsrMobilityAutoUpdate-[0-9a-f]{16}\.ps1\?\[redacted SAS\]$/,
    );
    expect(preview.resources.filter((r) => r.type.startsWith('pulumi-nodejs:dynamic/'))).toEqual([]);
  });

  it('makes every job schedule depend on the published content', async () => {
    const dependsOn: Record<string, string[]> = {};
    await runOfflineProgram(
      () => {
        pulumi.runtime.registerStackTransformation((args) => {
          if (args.type === 'azure-native:automation:JobSchedule') {
            const deps = ([] as pulumi.Input<pulumi.Resource>[]).concat(
              (args.opts.dependsOn as pulumi.Input<pulumi.Resource>[] | undefined) ?? [],
            );
            dependsOn[args.name] = deps.map((d) =>
              pulumi.dynamic.Resource.isInstance(d as pulumi.Resource) ? 'RunbookContent' : 'other',
            );
          }
          return undefined;
        });
        new A2AMobilityAutoUpdate('a2a', a2aProps({ automation: { clock: fixedClock } }));
      },
      { project: PROJECT_NAME, stack: 'deps' },
    );
    expect(dependsOn).toEqual({ 'a2a-automation-job-schedule': ['RunbookContent'] });
  });
});

describe('PowerShell runtime under Pulumi', () => {
  const build = (runtime: A2AScenarioProps['automation']) => () => {
    const vault = new RecoveryVault('team-vault', {
      name: 'rsv-team',
      resourceGroupName: 'rg-team',
      location: 'swedencentral',
    });
    new AutoUpdateAutomation('team-updates', {
      vault,
      sourceRegion: 'germanywestcentral',
      clock: fixedClock,
      runbookContentLink: { uri: 'https://example.org/r.ps1', sha256: 'ab'.repeat(32) },
      ...runtime,
    });
  };

  it('links an existing runtime environment by name and creates none', async () => {
    const preview = await runOfflineProgram(build({ runtime: { existingEnvironmentName: 'ps74-shared' } }), {
      project: PROJECT_NAME,
      stack: 'team',
    });
    expect(preview.resources.filter((r) => r.type === 'azure-native:automation:RuntimeEnvironment')).toEqual(
      [],
    );
    const rb = preview.resources.find((r) => r.type === 'azure-native:automation:Runbook')!.inputs as Inputs;
    expect(rb).toMatchObject({ runbookType: 'PowerShell', runtimeEnvironment: 'ps74-shared' });
  });
});

describe('Pulumi stack configuration', () => {
  it('keeps Pulumi.yaml equal to what the config table generates (run npm run gen:pulumi-yaml)', () => {
    expect(readFileSync(join(root, 'Pulumi.yaml'), 'utf8')).toBe(renderPulumiYaml());
  });

  it('uses only known keys in the example stack files', () => {
    for (const stack of ['a2a', 'vmware', 'existing']) {
      const keys = Object.keys(readStackFile(join(root, `Pulumi.${stack}.yaml`)).config).filter((k) =>
        k.startsWith(`${PROJECT_NAME}:`),
      );
      expect(
        keys.map((k) => k.slice(PROJECT_NAME.length + 1)).filter((k) => !Object.hasOwn(CONFIG_KEYS, k)),
      ).toEqual([]);
    }
  });

  it('reads typed values and applies the table defaults', () => {
    const v = readValues({
      get: (k) =>
        ({
          recoveryPointRetentionInMinutes: '60',
          autoUpdateEnabled: 'false',
          additionalRoleScopes: '["/subscriptions/x"]',
        })[k],
    });
    expect(v.recoveryPointRetentionInMinutes).toBe(60);
    expect(v.autoUpdateEnabled).toBe(false);
    expect(v.additionalRoleScopes).toEqual(['/subscriptions/x']);
    expect(v.vaultSku).toBe('Standard');
    expect(v.timeOfDay).toBe('00:00');
  });

  it('fails on wrongly typed values, naming each key', () => {
    expect(() =>
      readValues({
        get: (k) => ({ recoveryPointRetentionInMinutes: 'a day', vaultSoftDeleteEnabled: 'yes' })[k],
      }),
    ).toThrow(
      /^Pulumi config: 2 problems:\n {2}- vaultSoftDeleteEnabled: received "yes"; must be true or false\n {2}- recoveryPointRetentionInMinutes: received "a day"; must be an integer/,
    );
  });

  it('fails on an unknown key instead of silently using a default', () => {
    expect(() => readValues({ get: () => undefined, keys: () => ['vaultname'] })).toThrow(
      /vaultname: is not a known setting/,
    );
  });

  it('fails on an unknown scenario', () => {
    expect(() => scenarioFromConfig({ get: (k) => (k === 'scenario' ? 'hyperv' : undefined) })).toThrow(
      /scenario: received "hyperv"; must be a2a, vmware or existing/,
    );
  });

  it('passes the runtime settings to the domain, which decides the default', () => {
    const runtimeOf = (values: Record<string, string>) =>
      scenarioFromConfig({ get: (k) => ({ scenario: 'a2a', ...values })[k] }).props.automation?.runtime;
    expect(runtimeOf({})).toEqual({ version: undefined, existingEnvironmentName: undefined });
    expect(runtimeOf({ runtimeVersion: '7.4' })).toEqual({
      version: '7.4',
      existingEnvironmentName: undefined,
    });
    expect(runtimeOf({ runtimeEnvironmentName: 'ps74-shared' })).toEqual({
      version: undefined,
      existingEnvironmentName: 'ps74-shared',
    });
  });

  it('feeds JSON settings to the domain, which validates them', () => {
    const s = scenarioFromConfig({
      get: (k) => ({ tags: '{"a":"b"}', vaultLock: '{"kind":"ReadOnly"}', scenario: 'a2a' })[k],
    });
    if (s.scenario === 'existing') throw new Error('expected the a2a scenario');
    expect(s.props.vault.tags).toEqual({ a: 'b' });
    expect(s.props.vault.lock).toEqual({ kind: 'ReadOnly' });
    expect(() => scenarioFromConfig({ get: (k) => (k === 'tags' ? '{oops' : undefined) })).toThrow(
      /^Pulumi config: 1 problem:\n {2}- tags: not valid JSON/,
    );
  });
});
