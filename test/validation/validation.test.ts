import { TerraformStack, Testing } from 'cdktf';
import * as pulumi from '@pulumi/pulumi';
import {
  A2AMobilityAutoUpdate as CdktfA2A,
  A2AReplication as CdktfA2AReplication,
  AutoUpdateAutomation as CdktfAutomation,
  RecoveryVault as CdktfVault,
  VmwareMobilityAutoUpdate as CdktfVmware,
  VmwareReplication as CdktfVmwareReplication,
} from '../../constructs/cdktf';
import {
  describeValue,
  resolveA2AScenario,
  resolveAlone,
  resolveAutoUpdateAutomation,
  resolveRecoveryVault,
  resolveVmwareReplication,
  resolveVmwareScenario,
  ValidationError,
  type A2AScenarioProps,
  type RecoveryVaultSpec,
} from '../../constructs/domain/internal';
import {
  A2AMobilityAutoUpdate as PulumiA2A,
  A2AReplication as PulumiA2AReplication,
  AutoUpdateAutomation as PulumiAutomation,
  RecoveryVault as PulumiVault,
  VmwareMobilityAutoUpdate as PulumiVmware,
  VmwareReplication as PulumiVmwareReplication,
} from '../../constructs/pulumi';
import { buildApp } from '../../stacks/cdktf/main';
import { ConfigError, loadConfig } from '../../stacks/config';
import { scenarioFromConfig } from '../../stacks/pulumi/config';
import { PROJECT_NAME } from '../../stacks/pulumi/project-file';
import { testApp } from '../cdktf/helpers';
import { a2aProps, fixedClock, violationsOf, vmwareProps } from '../fixtures';

/* eslint-disable @typescript-eslint/no-explicit-any -- these tests are the callers who bypass types */

const NOW = { ASR_NOW: '2026-11-22T10:00:00Z' };
/** The example A2A config with one change inside, as JSON text for ASR_A2A. */
const a2aJson = (change: (p: Record<string, any>) => void): string => {
  const p = JSON.parse(JSON.stringify({ ...a2aProps(), automation: undefined })) as Record<string, any>;
  change(p);
  return JSON.stringify(p);
};
const props = (v: ReturnType<typeof violationsOf>) => v.map((x) => x.prop);
const vaultSpec: RecoveryVaultSpec = resolveAlone('RecoveryVault', (r) =>
  resolveRecoveryVault(r, a2aProps().vault),
);
/** The violations of the automation building block's props, with these extra props. */
const automation = (extra: Record<string, unknown>) =>
  violationsOf(() =>
    resolveAlone('AutoUpdateAutomation', (r) =>
      resolveAutoUpdateAutomation(
        r,
        { sourceRegion: 'northeurope', clock: fixedClock, ...extra } as any,
        vaultSpec,
      ),
    ),
  );
/** A Pulumi stack config of the A2A scenario, with these extra keys. */
const pulumiConfig = (extra: Record<string, string>): Record<string, string> => ({
  scenario: 'a2a',
  vaultName: 'rsv-asr-a2a-weu',
  vaultResourceGroupName: 'rg-asr-dr-weu',
  vaultLocation: 'westeurope',
  sourceRegion: 'northeurope',
  targetRegion: 'westeurope',
  ...extra,
});
const AG =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/ag';

describe('the issue reproductions, through the real configuration path', () => {
  it.each<[string, (p: Record<string, any>) => void, ReturnType<typeof violationsOf>]>([
    [
      'the vault lock is null, naming vault.lock',
      (p) => (p.vault.lock = null),
      [{ prop: 'vault.lock', value: null, rule: "must be an object such as { kind: 'CanNotDelete' }" }],
    ],
    [
      'a diagnostic setting is null, naming its index',
      (p) => (p.vault.diagnosticSettings = [null]),
      [
        {
          prop: 'vault.diagnosticSettings[0]',
          value: null,
          rule: 'must be a diagnostic setting (an object)',
        },
      ],
    ],
    [
      'targetNetworkResourceId is a region, naming the prop and the resource type',
      (p) => {
        p.replication.sourceNetworkResourceId =
          '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet';
        p.replication.targetNetworkResourceId = 'westeurope';
      },
      [
        {
          prop: 'replication.targetNetworkResourceId',
          value: 'westeurope',
          rule: expect.stringMatching(/^must be a Microsoft\.Network\/virtualNetworks resource id/),
        },
      ],
    ],
  ])('fails when %s', (_, change, expected) => {
    expect(violationsOf(() => buildApp(testApp(), { ...NOW, ASR_A2A: a2aJson(change) }))).toEqual(expected);
  });

  it('fails when ASR_A2A names a missing file, with a ConfigError naming the variable and the file', () => {
    let error: unknown;
    try {
      buildApp(testApp(), { ...NOW, ASR_A2A: '@missing.json' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      'asr config: 1 problem:\n  - ASR_A2A: cannot read the file "missing.json" (no such file); give JSON, or @path to a JSON file',
    );
  });
});

describe('shrunk counterexamples of the property test, kept as unit tests', () => {
  const scenario = (change: (p: Record<string, any>) => void) => {
    const p = { ...a2aProps(), automation: { clock: fixedClock } } as Record<string, any>;
    p.vault = { ...p.vault };
    p.replication = { ...p.replication };
    change(p);
    return violationsOf(() => resolveA2AScenario(p as A2AScenarioProps));
  };

  it('fails when the scenario props are null', () => {
    expect(violationsOf(() => resolveA2AScenario(null as any))).toEqual([
      { prop: 'props', value: null, rule: 'must be an object of props' },
    ]);
    expect(violationsOf(() => resolveVmwareScenario(undefined as any))).toEqual([
      {
        prop: 'props',
        value: undefined,
        rule: 'is required: an object of props (vault, replication, automation, suppressions)',
      },
    ]);
  });

  it('fails when the vault is missing, with one violation for it rather than one per vault prop', () => {
    expect(props(violationsOf(() => resolveA2AScenario({ ...a2aProps(), vault: undefined } as any)))).toEqual(
      ['vault'],
    );
  });

  it('fails when a network id is a number, and builds no network mapping from it', () => {
    expect(
      scenario((p) => {
        p.replication.sourceNetworkResourceId = 0;
        p.replication.targetNetworkResourceId = `/subscriptions/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v`;
      }),
    ).toEqual([expect.objectContaining({ prop: 'replication.sourceNetworkResourceId', value: 0 })]);
  });

  it.each<[string, (p: Record<string, any>) => void, string[]]>([
    // The schedule follows the source region, so the automation reports it too (as for any unknown region).
    [
      'a region is an object whose toString is not a function',
      (p) => (p.replication.sourceRegion = { toString: 'x' }),
      ['replication.sourceRegion', 'automation.sourceRegion'],
    ],
    [
      'a region is a prototype name such as constructor',
      (p) => (p.vault.location = 'constructor'),
      ['vault.location'],
    ],
    [
      'a prototype-named key is given, and reads nothing from Object.prototype',
      (p) =>
        (p.vault = JSON.parse(
          '{"name":"rsv-dr-weu","resourceGroupName":"rg","location":"westeurope","__proto__":{"sku":"RS0"},"constructor":"x"}',
        )),
      ['vault.__proto__', 'vault.constructor'],
    ],
    [
      'metricCategories or logCategories is not a list',
      (p) =>
        (p.vault.diagnosticSettings = [
          {
            workspaceResourceId: `/subscriptions/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/l`,
            metricCategories: 0,
            logCategories: {},
          },
        ]),
      ['vault.diagnosticSettings[0].logCategories', 'vault.diagnosticSettings[0].metricCategories'],
    ],
    ['suppressions is an object', (p) => (p.suppressions = {}), ['suppressions']],
    ['suppressions holds null', (p) => (p.suppressions = [null]), ['suppressions[0]']],
    [
      'a policy number is not finite',
      (p) => {
        p.replication.recoveryPointRetentionInMinutes = Infinity;
        p.replication.applicationConsistentSnapshotFrequencyInMinutes = NaN;
      },
      [
        'replication.recoveryPointRetentionInMinutes',
        'replication.applicationConsistentSnapshotFrequencyInMinutes',
      ],
    ],
  ])('fails when %s', (_, change, expected) => {
    expect(props(scenario(change))).toEqual(expected);
  });

  it('fails when sasValidityInHours is not a number (no Invalid time value)', () => {
    expect(
      automation({ runbookHosting: 'storage', runbookStorage: { sasValidityInHours: 'westeurope' } }),
    ).toEqual([expect.objectContaining({ prop: 'runbookStorage.sasValidityInHours', value: 'westeurope' })]);
    expect(
      props(
        automation({ runbookHosting: 'storage', runbookStorage: { sasValidityInHours: { kind: null } } }),
      ),
    ).toEqual(['runbookStorage.sasValidityInHours']);
  });

  it('fails when the automation location, action or clock has the wrong type', () => {
    expect(props(automation({ location: 5, autoUpdateAction: 5, clock: 'now' }))).toEqual([
      'location',
      'autoUpdateAction',
      'clock',
    ]);
    expect(automation({ clock: () => new Date('never') })).toEqual([
      expect.objectContaining({ prop: 'clock', rule: 'must return a valid Date' }),
    ]);
  });

  it('fails when runbookContentLink or runbookStorage is null', () => {
    expect(props(automation({ runbookContentLink: null, runbookStorage: null }))).toEqual([
      'runbookContentLink',
      'runbookStorage',
    ]);
    expect(
      props(automation({ runbookContentLink: null, runbookHosting: 'storage', runbookStorage: null })),
    ).toEqual(['runbookContentLink', 'runbookStorage']);
  });

  it('fails when runbookHosting is not a string, naming the prop, value and rule', () => {
    expect(automation({ runbookHosting: 7 })).toEqual([
      expect.objectContaining({
        prop: 'runbookHosting',
        value: 7,
        rule: expect.stringContaining("must be 'publish'"),
      }),
    ]);
  });

  it("fails when runbookStorage is given without runbookHosting: 'storage', naming the rule", () => {
    expect(automation({ runbookStorage: { accountName: 'stasrrunbooks' } })).toEqual([
      expect.objectContaining({
        prop: 'runbookStorage',
        rule: "describes the storage hosting: give it only with runbookHosting: 'storage'",
      }),
    ]);
  });

  it('fails when the VMware replication props are null', () => {
    expect(
      violationsOf(() => resolveAlone('VmwareReplication', (r) => resolveVmwareReplication(r, null as any))),
    ).toEqual([expect.objectContaining({ prop: 'props', value: null })]);
  });

  it('fails when the Pulumi config gives a list as a network id and a number as tags', () => {
    const config = pulumiConfig({ tags: '0', sourceNetworkResourceId: '[]' });
    const s = scenarioFromConfig({ get: (k) => config[k] }, fixedClock);
    expect(props(violationsOf(() => resolveA2AScenario(s.props as A2AScenarioProps)))).toEqual([
      'vault.tags',
      'replication.sourceNetworkResourceId',
      'replication.targetNetworkResourceId',
    ]);
  });

  it('fails when the asr config has wrongly shaped parts, listing them all', () => {
    let error: unknown;
    try {
      loadConfig({ a2a: 'x', vmware: [], backend: { storageAccountName: 5 }, subscriptionId: '' }, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'a2a: received "x"; must be an object of the scenario\'s props',
      "vmware: received []; must be an object of the scenario's props",
      'subscriptionId: received ""; must be a subscription id (a non-empty string)',
      'backend.resourceGroupName: received undefined; is required (a non-empty string)',
      'backend.storageAccountName: received 5; is required (a non-empty string)',
      'backend.containerName: received undefined; is required (a non-empty string)',
    ]);
  });

  it('shortens a huge value in the message', () => {
    const text = describeValue('x'.repeat(5000));
    expect(text).toHaveLength(200);
    expect(text.endsWith('...')).toBe(true);
  });
});

describe('runtime and alerts (merged from main) treat their props as unknown', () => {
  it('fails when the clock is not a function or returns no valid Date (no crash on the runbook link anchor)', () => {
    // The property test's counterexample (seeds 1-4): `addKey clock false` on the automation props.
    expect(automation({ clock: false })).toEqual([
      { prop: 'clock', value: false, rule: 'must be a function that returns a Date' },
    ]);
    expect(props(automation({ clock: () => 'now' }))).toEqual(['clock']);
  });

  it.each([null, [], '7.4'])('fails when runtime is %j (null, a list or a string)', (runtime) => {
    expect(automation({ runtime })).toEqual([
      { prop: 'runtime', value: runtime, rule: "must be an object such as { version: '7.6' }" },
    ]);
  });

  it.each([null, 7.4, 'toString', '__proto__'])(
    'fails when runtime.version is %j (null, a number or a prototype name)',
    (version) => {
      expect(automation({ runtime: { version } })).toEqual([
        expect.objectContaining({ prop: 'runtime.version', value: version }),
      ]);
    },
  );

  it('fails when runtime has prototype-named keys, and reads nothing from Object.prototype', () => {
    const runtime = JSON.parse('{"__proto__": {"version": "7.2"}, "constructor": "7.2"}');
    expect(props(automation({ runtime }))).toEqual(['runtime.__proto__', 'runtime.constructor']);
  });

  it.each([{ name: 'ps74' }, null])(
    'fails when runtime.existingEnvironmentName is %j, not a string',
    (name) => {
      expect(props(automation({ runtime: { existingEnvironmentName: name } }))).toEqual([
        'runtime.existingEnvironmentName',
      ]);
    },
  );

  it.each([null, [], 'on'])('fails when alerts is %j (null is not "the default")', (alerts) => {
    expect(automation({ alerts })).toEqual([
      { prop: 'alerts', value: alerts, rule: 'must be an object of alert settings' },
    ]);
  });

  it.each([
    ['a string', AG],
    ['an object', { 0: AG }],
    ['null', null],
  ])('fails when actionGroupIds is %s', (_, actionGroupIds) => {
    expect(automation({ alerts: { actionGroupIds } })).toEqual([
      {
        prop: 'alerts.actionGroupIds',
        value: actionGroupIds,
        rule: 'must be a list of Microsoft.Insights/actionGroups resource ids',
      },
    ]);
  });

  it('fails when actionGroupIds holds null, a number or a list, naming each index', () => {
    expect(props(automation({ alerts: { actionGroupIds: [null, AG, 5, [AG]] } }))).toEqual([
      'alerts.actionGroupIds[0]',
      'alerts.actionGroupIds[2]',
      'alerts.actionGroupIds[3]',
    ]);
  });

  it.each([NaN, Infinity, null, '1', 1.5])('fails when severity is %p (not a finite integer)', (severity) => {
    expect(automation({ alerts: { severity } })).toEqual([
      expect.objectContaining({ prop: 'alerts.severity', value: severity }),
    ]);
  });

  it('fails when the alert switches, name or durations have the wrong type', () => {
    expect(
      props(
        automation({
          alerts: {
            failedJobAlertEnabled: null,
            autoMitigationEnabled: 'false',
            failedJobAlertName: 5,
            evaluationFrequency: {},
            windowSize: null,
          },
        }),
      ),
    ).toEqual([
      'alerts.failedJobAlertEnabled',
      'alerts.autoMitigationEnabled',
      'alerts.failedJobAlertName',
      'alerts.evaluationFrequency',
      'alerts.windowSize',
    ]);
  });

  it('fails when alerts has prototype-named keys, and reads nothing from Object.prototype', () => {
    const alerts = JSON.parse('{"__proto__": {"severity": 9}, "constructor": 1, "toString": "x"}');
    expect(props(automation({ alerts }))).toEqual([
      'alerts.__proto__',
      'alerts.constructor',
      'alerts.toString',
    ]);
  });

  it('fails when the Pulumi config gives alert settings of the wrong type, with one ConfigError', () => {
    const config = pulumiConfig({
      alertActionGroupIds: AG,
      alertSeverity: 'high',
      failedJobAlertEnabled: 'yes',
    });
    let error: unknown;
    try {
      scenarioFromConfig({ get: (k) => config[k] }, fixedClock);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'failedJobAlertEnabled: received "yes"; must be true or false',
      `alertActionGroupIds: received ${JSON.stringify(AG)}; must be a list of strings`,
      'alertSeverity: received "high"; must be an integer',
    ]);
  });

  it('fails when the Pulumi config gives a runtime or alert value the domain refuses, naming the props', () => {
    const config = pulumiConfig({
      runtimeVersion: 'constructor',
      alertActionGroupIds: '[null]',
      alertSeverity: '99999999999999999999999',
      alertWindowSize: 'toString',
    });
    let error: unknown;
    try {
      scenarioFromConfig({ get: (k) => config[k] }, fixedClock);
    } catch (e) {
      error = e;
    }
    // A list with null is not a list of strings: the loader says so before the domain runs.
    expect((error as ConfigError).problems).toEqual([
      'alertActionGroupIds: received "[null]"; must be a list of strings',
    ]);
    delete config.alertActionGroupIds;
    const s = scenarioFromConfig({ get: (k) => config[k] }, fixedClock);
    expect(props(violationsOf(() => resolveA2AScenario(s.props as A2AScenarioProps)))).toEqual([
      'automation.runtime.version',
      'automation.alerts.severity',
      'automation.alerts.windowSize',
    ]);
  });
});

describe('callers who bypass types: nothing is created in cdktf', () => {
  const stack = () => new TerraformStack(testApp(), 'team');
  const resources = (s: TerraformStack) => (JSON.parse(Testing.synth(s)) as { resource?: unknown }).resource;

  it.each([
    ['null props', null],
    ['a null lock', { ...a2aProps(), vault: { ...a2aProps().vault, lock: null } }],
    ['a vault that is a string', { ...a2aProps(), vault: 'rsv-dr-weu' }],
  ])('fails when the A2A scenario gets %s, adding nothing', (_what, bad) => {
    const s = stack();
    expect(() => new CdktfA2A(s, 'A2A', bad as any)).toThrow(ValidationError);
    expect(s.node.children).toHaveLength(0);
    expect(resources(s)).toBeUndefined();
  });

  it('fails when the VMware scenario gets a list as replication, adding nothing', () => {
    const s = stack();
    expect(() => new CdktfVmware(s, 'VMware', { ...vmwareProps(), replication: [] } as any)).toThrow(
      /^VMware scenario: 1 invalid prop:\n {2}- replication: received \[\]; must be an object of props$/,
    );
    expect(s.node.children).toHaveLength(0);
  });

  it('fails when a building block gets a wrong prop or reference, adding nothing', () => {
    const s = stack();
    expect(() => new CdktfVault(s, 'Vault', { ...a2aProps().vault, tags: [] } as any)).toThrow(
      /^RecoveryVault: 1 invalid prop:\n {2}- tags: received \[\]/,
    );
    expect(s.node.children).toHaveLength(0);
    const vault = new CdktfVault(s, 'Vault', a2aProps().vault);
    expect(() => new CdktfAutomation(s, 'Updates', { vault: 'rsv-dr-weu', sourceRegion: 7 } as any)).toThrow(
      /^AutoUpdateAutomation: 2 invalid props:\n {2}- vault: received "rsv-dr-weu"; must be the RecoveryVault construct this block belongs to, or an existing vault from RecoveryVault.fromVaultId\n {2}- sourceRegion: received 7/,
    );
    expect(
      () =>
        new CdktfA2AReplication(s, 'Dr', {
          vault,
          automation: { automationAccountId: 'x' },
          sourceRegion: 'northeurope',
          targetRegion: 'westeurope',
        } as any),
    ).toThrow(
      /^A2AReplication: 2 invalid props:\n {2}- automation: received .*; must be the AutoUpdateAutomation construct/,
    );
    expect(() => new CdktfVmwareReplication(s, 'Vmware', undefined as any)).toThrow(
      /^VmwareReplication: 2 invalid props:\n {2}- vault: received undefined.*\n {2}- props: received undefined; is required: an object of props/,
    );
    expect(s.node.children.map((c) => c.node.id)).toEqual(['Vault']);
  });
});

describe('callers who bypass types: nothing is registered in Pulumi', () => {
  /** Runs `fn` under mocks; returns how many resources it registered and what it threw. */
  async function registered(fn: () => void): Promise<{ count: number; error: unknown }> {
    let count = 0;
    await pulumi.runtime.setMocks(
      { newResource: (a) => ((count += 1), { id: `${a.name}-id`, state: a.inputs }), call: () => ({}) },
      PROJECT_NAME,
      'bypass',
      true,
    );
    let error: unknown;
    try {
      fn();
    } catch (e) {
      error = e;
    }
    await new Promise((r) => setTimeout(r, 50));
    return { count, error };
  }

  it.each([
    ['the A2A scenario gets null props', () => new PulumiA2A('a2a', null as any)],
    [
      'the A2A scenario gets a null lock',
      () => new PulumiA2A('a2a', { ...a2aProps(), vault: { ...a2aProps().vault, lock: null } } as any),
    ],
    [
      'the VMware scenario gets a null diagnostic setting',
      () =>
        new PulumiVmware('vmware', {
          ...vmwareProps(),
          vault: { ...vmwareProps().vault, diagnosticSettings: [null] },
        } as any),
    ],
    ['the vault gets a number as name', () => new PulumiVault('v', { ...a2aProps().vault, name: 5 } as any)],
    ['the automation gets no vault', () => new PulumiAutomation('a', { sourceRegion: 'northeurope' } as any)],
    [
      'the A2A replication gets a string as vault',
      () => new PulumiA2AReplication('r', { vault: 'v', sourceRegion: 'northeurope' } as any),
    ],
    ['the VMware replication gets null', () => new PulumiVmwareReplication('r', null as any)],
  ])('fails when %s, registering nothing', async (_what, fn) => {
    const { count, error } = await registered(fn);
    expect(error).toBeInstanceOf(ValidationError);
    expect(count).toBe(0);
  });
});
