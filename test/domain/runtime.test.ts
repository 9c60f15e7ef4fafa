import {
  planScenario,
  POLICY_RULES,
  POWERSHELL_RUNTIME_VERSIONS,
  POWERSHELL_RUNTIMES,
  POWERSHELL_RUNTIMES_CHECKED_ON,
  resolveA2AScenario,
  RETIRED_POWERSHELL_RUNTIMES,
  resolveExistingVaultsScenario,
  resolveVmwareScenario,
  runbookAsset,
  type A2AScenarioProps,
  type Finding,
  type RunbookRuntimeProps,
  type Suppression,
} from '../../constructs/domain/internal';
import { a2aProps, fixedClock, SUB, violationsOf, vmwareProps } from '../fixtures';

const withRuntime = (runtime: unknown): A2AScenarioProps =>
  a2aProps({ automation: { clock: fixedClock, runtime: runtime as RunbookRuntimeProps } });
const RUNTIME_ENVIRONMENTS = 'Microsoft.Automation/automationAccounts/runtimeEnvironments';
const RUNBOOKS = 'Microsoft.Automation/automationAccounts/runbooks';

/** The warning every synth on 7.4 gets: its community support has ended and 7.6 is offered. */
const W06: Finding = {
  ruleId: 'ASR-W06',
  level: 'warning',
  prop: 'automation.runtime.version',
  value: '7.4',
  message:
    "PowerShell 7.4 reached the end of its community support on 2026-11-10: use version '7.6' (the default), which Azure Automation runs and PowerShell still supports",
};

/** Each scenario with the default runtime, or with `runtime` and `suppressions`; its warnings. */
const SCENARIOS: readonly [
  string,
  (runtime?: RunbookRuntimeProps, suppressions?: Suppression[]) => readonly Finding[],
][] = [
  [
    'A2A',
    (runtime, suppressions) => resolveA2AScenario({ ...withRuntime(runtime ?? {}), suppressions }).warnings,
  ],
  [
    'VMware',
    (runtime, suppressions) =>
      resolveVmwareScenario(vmwareProps({ automation: { clock: fixedClock, runtime }, suppressions }))
        .warnings,
  ],
  [
    'existing vaults',
    (runtime, suppressions) =>
      resolveExistingVaultsScenario({
        vaults: [
          {
            vaultResourceId: `/subscriptions/${SUB}/resourceGroups/rg-dr/providers/Microsoft.RecoveryServices/vaults/rsv-a`,
            sourceRegion: 'northeurope',
          },
        ],
        automation: {
          name: 'aa-fleet',
          resourceGroupName: 'rg-aa',
          location: 'westeurope',
          clock: fixedClock,
          runtime,
        },
        suppressions,
      }).warnings,
  ],
];

describe('automation.runtime', () => {
  it('keeps the accepted versions in one table: 7.4 and 7.6, both in a runtime environment', () => {
    expect(POWERSHELL_RUNTIME_VERSIONS).toEqual(['7.4', '7.6']);
    expect(POWERSHELL_RUNTIMES['7.4']).toEqual({
      runbookType: 'PowerShell',
      runtimeEnvironment: true,
      endOfSupport: '2026-11-10',
    });
    expect(POWERSHELL_RUNTIMES['7.6']).toEqual({
      runbookType: 'PowerShell',
      runtimeEnvironment: true,
      endOfSupport: null,
    });
    expect(RETIRED_POWERSHELL_RUNTIMES).toEqual({
      '7.1': { retiredInAutomation: '2026-09-30', announcement: 'Azure Update 567556' },
      '7.2': { retiredInAutomation: '2026-09-30', announcement: 'Azure Update 567556' },
    });
  });

  it('ships a runbook whose #Requires is not above the oldest accepted version', () => {
    const { content } = runbookAsset();
    const requires = /^#Requires -Version (\S+)$/m.exec(content)?.[1];
    expect(requires).toBeDefined();
    expect(Number(requires) <= Number(POWERSHELL_RUNTIME_VERSIONS[0])).toBe(true);
  });

  it('defaults to a PowerShell 7.6 runtime environment next to the runbook, with no packages and no warning, in both scenarios', () => {
    for (const spec of [
      resolveA2AScenario(a2aProps()),
      resolveVmwareScenario(vmwareProps({ automation: { clock: fixedClock } })),
    ]) {
      const plan = planScenario(spec);
      const env = plan.filter((r) => r.type === RUNTIME_ENVIRONMENTS);
      expect(env).toEqual([
        {
          type: RUNTIME_ENVIRONMENTS,
          name: 'asr-mobility-autoupdate-ps76',
          properties: {
            location: spec.automation!.location,
            language: 'PowerShell',
            version: '7.6',
            defaultPackages: {},
          },
        },
      ]);
      expect(plan.find((r) => r.type === RUNBOOKS)!.properties).toMatchObject({
        runbookType: 'PowerShell',
        runtimeEnvironment: 'asr-mobility-autoupdate-ps76',
      });
      expect(spec.automation!.runtime).toMatchObject({ version: '7.6', endOfSupport: null });
      expect(spec.warnings.filter((w) => w.ruleId === 'ASR-W06')).toEqual([]);
    }
  });

  it('still accepts 7.4 in its own runtime environment, with ASR-W06', () => {
    const spec = resolveA2AScenario(withRuntime({ version: '7.4' }));
    expect(planScenario(spec).filter((r) => r.type === RUNTIME_ENVIRONMENTS)).toEqual([
      expect.objectContaining({
        name: 'asr-mobility-autoupdate-ps74',
        properties: expect.objectContaining({ version: '7.4' }),
      }),
    ]);
    expect(spec.warnings).toEqual([W06]);
  });

  it('links an existing runtime environment by name and creates none', () => {
    const spec = resolveA2AScenario(withRuntime({ existingEnvironmentName: 'PowerShell-7.6-Prod' }));
    expect(spec.automation!.runtime.environment).toMatchObject({
      name: 'PowerShell-7.6-Prod',
      create: false,
      version: '7.6',
    });
    const plan = planScenario(spec);
    expect(plan.filter((r) => r.type === RUNTIME_ENVIRONMENTS)).toEqual([]);
    expect(plan.find((r) => r.type === RUNBOOKS)!.properties).toMatchObject({
      runbookType: 'PowerShell',
      runtimeEnvironment: 'PowerShell-7.6-Prod',
    });
  });

  it.each(['7.2', '7.1'])(
    'fails when the version is %s, naming its retirement in Automation (Azure Update 567556)',
    (version) => {
      expect(violationsOf(() => resolveA2AScenario(withRuntime({ version })))).toEqual([
        {
          prop: 'automation.runtime.version',
          value: version,
          rule: `PowerShell ${version} was retired in Azure Automation on 2026-09-30 (Azure Update 567556), so a runbook on it would not run: use '7.6' (the default) or '7.4'`,
        },
      ]);
    },
  );

  it('fails when a suppression names ASR-W05, the rule for PowerShell 7.2 that went with it', () => {
    const v = violationsOf(() =>
      resolveA2AScenario({
        ...a2aProps(),
        suppressions: [
          { ruleId: 'ASR-W05', reason: 'the account has hybrid workers pinned to 7.2 until Q1' },
        ],
      }),
    );
    expect(v.map((x) => [x.prop, x.value])).toEqual([['suppressions[0].ruleId', 'ASR-W05']]);
  });

  it.each([
    ['7.8, which Automation does not run yet', '7.8'],
    ['5.1, which the runbook does not run on', '5.1'],
    ['a number', 7.6],
    ['a major version alone', '7'],
  ])('fails when the version is %s, naming the prop, the value and the accepted versions', (_, version) => {
    expect(violationsOf(() => resolveA2AScenario(withRuntime({ version })))).toEqual([
      {
        prop: 'automation.runtime.version',
        value: version,
        rule: "must be a PowerShell version Azure Automation runs in a runtime environment: '7.4', '7.6'",
      },
    ]);
  });

  it.each([
    ['has a space', 'my env'],
    ['starts with a digit', '74-env'],
    ['ends with a period', 'env.'],
    ['is empty', ''],
    ['is longer than 63 characters', `e${'x'.repeat(63)}`],
    ['is not a string', 42],
  ])('fails when the existing environment name %s', (_, name) => {
    expect(violationsOf(() => resolveA2AScenario(withRuntime({ existingEnvironmentName: name })))).toEqual([
      {
        prop: 'automation.runtime.existingEnvironmentName',
        value: name,
        rule: expect.stringMatching(/^a runtime environment name has 1-63 characters/),
      },
    ]);
  });

  it('fails when the existing environment is a system-generated one, which never runs 7.6', () => {
    const v = violationsOf(() =>
      resolveA2AScenario(withRuntime({ existingEnvironmentName: 'PowerShell-7.2' })),
    );
    expect(v).toEqual([
      {
        prop: 'automation.runtime.existingEnvironmentName',
        value: 'PowerShell-7.2',
        rule: expect.stringMatching(/^is a system-generated runtime environment.*none runs PowerShell 7\.6/),
      },
    ]);
  });

  it('fails when runtime is not an object or has an unknown key', () => {
    expect(violationsOf(() => resolveA2AScenario(withRuntime('7.4'))).map((x) => x.prop)).toEqual([
      'automation.runtime',
    ]);
    expect(violationsOf(() => resolveA2AScenario(withRuntime({ versoin: '7.4' })))).toEqual([
      {
        prop: 'automation.runtime.versoin',
        value: '7.4',
        rule: 'is not a known prop; allowed: version, existingEnvironmentName',
      },
    ]);
  });
});

describe('ASR-W06: a PowerShell version past its community support', () => {
  it('is a warning rule that a reason can suppress; ASR-W05 (PowerShell 7.2) is gone with 7.2', () => {
    const rules = new Map(POLICY_RULES.map((r) => [r.id, r]));
    expect(rules.get('ASR-W06')).toMatchObject({ level: 'warning', needs: ['automation'] });
    expect(rules.has('ASR-W05')).toBe(false);
    // The table was checked after 7.4's end of community support.
    expect(POWERSHELL_RUNTIMES['7.4'].endOfSupport <= POWERSHELL_RUNTIMES_CHECKED_ON).toBe(true);
  });

  it.each(SCENARIOS)('warns the %s scenario on 7.4 once, and not on the default 7.6', (_, warningsOf) => {
    expect(warningsOf()).toEqual([]);
    expect(warningsOf({ version: '7.6' })).toEqual([]);
    expect(warningsOf({ version: '7.4' })).toEqual([W06]);
    expect(warningsOf({ version: '7.4', existingEnvironmentName: 'PowerShell-7.4-Prod' })).toEqual([W06]);
  });

  it.each(SCENARIOS)('is removed from the %s scenario by a suppression with a reason', (_, warningsOf) => {
    const reason = 'modules not yet tested on 7.6; we move in January';
    expect(warningsOf({ version: '7.4' }, [{ ruleId: 'ASR-W06', reason }])).toEqual([]);
  });

  it('fails when ASR-W06 is suppressed without a reason', () => {
    expect(
      violationsOf(() =>
        resolveA2AScenario({ ...a2aProps(), suppressions: [{ ruleId: 'ASR-W06', reason: 'ok' }] }),
      ),
    ).toEqual([
      {
        prop: 'suppressions[0].reason',
        value: 'ok',
        rule: 'a suppression needs a reason of at least 10 characters',
      },
    ]);
  });
});
