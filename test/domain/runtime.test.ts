import {
  planScenario,
  POLICY_RULES,
  POWERSHELL_RUNTIME_VERSIONS,
  POWERSHELL_RUNTIMES,
  POWERSHELL_RUNTIMES_CHECKED_ON,
  resolveA2AScenario,
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

/** The warning every synth on 7.4 gets while Automation documents nothing newer. */
const W06: Finding = {
  ruleId: 'ASR-W06',
  level: 'warning',
  prop: 'automation.runtime.version',
  value: '7.4',
  message:
    'PowerShell 7.4 reached the end of its community support on 2026-11-10; Azure Automation documents no newer runtime environment yet (Microsoft Learn, checked 2026-12-04), so 7.4 stays the default until it does',
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
  it('keeps the accepted versions in one table: 7.2 classic, 7.4 a runtime environment', () => {
    expect(POWERSHELL_RUNTIME_VERSIONS).toEqual(['7.2', '7.4']);
    expect(POWERSHELL_RUNTIMES['7.2']).toEqual({
      runbookType: 'PowerShell72',
      runtimeEnvironment: false,
      endOfSupport: '2024-11-08',
    });
    expect(POWERSHELL_RUNTIMES['7.4']).toMatchObject({ runbookType: 'PowerShell', runtimeEnvironment: true });
  });

  it('ships a runbook that requires the oldest accepted version and documents the runtime it is deployed on', () => {
    const { content } = runbookAsset();
    expect(/^#Requires -Version (\S+)$/m.exec(content)?.[1]).toBe(POWERSHELL_RUNTIME_VERSIONS[0]);
    expect(content).toMatch(/PowerShell 7\.4 runtime environment/);
  });

  it('defaults to a PowerShell 7.4 runtime environment next to the runbook, with no packages, in both scenarios', () => {
    for (const spec of [
      resolveA2AScenario(a2aProps()),
      resolveVmwareScenario(vmwareProps({ automation: { clock: fixedClock } })),
    ]) {
      const plan = planScenario(spec);
      const env = plan.filter((r) => r.type === RUNTIME_ENVIRONMENTS);
      expect(env).toEqual([
        {
          type: RUNTIME_ENVIRONMENTS,
          name: 'asr-mobility-autoupdate-ps74',
          properties: {
            location: spec.automation!.location,
            language: 'PowerShell',
            version: '7.4',
            defaultPackages: {},
          },
        },
      ]);
      expect(plan.find((r) => r.type === RUNBOOKS)!.properties).toMatchObject({
        runbookType: 'PowerShell',
        runtimeEnvironment: 'asr-mobility-autoupdate-ps74',
      });
      expect(spec.warnings).toEqual([W06]);
    }
  });

  it('links an existing runtime environment by name and creates none', () => {
    const spec = resolveA2AScenario(withRuntime({ existingEnvironmentName: 'PowerShell-7.4-Prod' }));
    expect(spec.automation!.runtime.environment).toMatchObject({
      name: 'PowerShell-7.4-Prod',
      create: false,
    });
    const plan = planScenario(spec);
    expect(plan.filter((r) => r.type === RUNTIME_ENVIRONMENTS)).toEqual([]);
    expect(plan.find((r) => r.type === RUNBOOKS)!.properties).toMatchObject({
      runbookType: 'PowerShell',
      runtimeEnvironment: 'PowerShell-7.4-Prod',
    });
  });

  it('keeps 7.2 possible as the classic PowerShell72 type, without a runtime environment, and warns ASR-W05', () => {
    const spec = resolveA2AScenario(withRuntime({ version: '7.2' }));
    expect(spec.automation!.runtime).toEqual({
      version: '7.2',
      runbookType: 'PowerShell72',
      endOfSupport: '2024-11-08',
      environment: undefined,
    });
    const plan = planScenario(spec);
    expect(plan.filter((r) => r.type === RUNTIME_ENVIRONMENTS)).toEqual([]);
    expect(plan.find((r) => r.type === RUNBOOKS)!.properties.runbookType).toBe('PowerShell72');
    expect(spec.warnings).toEqual([
      {
        ruleId: 'ASR-W05',
        level: 'warning',
        prop: 'automation.runtime.version',
        value: '7.2',
        message: expect.stringMatching(/PowerShell 7\.2 reached end of support on 2024-11-08.*'7\.4'/),
      },
    ]);
  });

  it('lets ASR-W05 be suppressed with a reason', () => {
    const spec = resolveA2AScenario({
      ...withRuntime({ version: '7.2' }),
      suppressions: [{ ruleId: 'ASR-W05', reason: 'the account has hybrid workers pinned to 7.2 until Q1' }],
    });
    expect(spec.warnings).toEqual([]);
  });

  it.each([
    ['7.6, which no Microsoft Learn page lists for Automation yet', '7.6'],
    ['5.1, which the runbook does not run on', '5.1'],
    ['a number', 7.4],
    ['a major version alone', '7'],
  ])('fails when the version is %s, naming the prop, the value and the accepted versions', (_, version) => {
    expect(violationsOf(() => resolveA2AScenario(withRuntime({ version })))).toEqual([
      {
        prop: 'automation.runtime.version',
        value: version,
        rule: "must be a PowerShell version Azure Automation documents for runbooks: '7.2', '7.4'",
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

  it('fails when the existing environment is a system-generated one, which never runs 7.4', () => {
    const v = violationsOf(() =>
      resolveA2AScenario(withRuntime({ existingEnvironmentName: 'PowerShell-7.2' })),
    );
    expect(v).toEqual([
      {
        prop: 'automation.runtime.existingEnvironmentName',
        value: 'PowerShell-7.2',
        rule: expect.stringMatching(/^is a system-generated runtime environment/),
      },
    ]);
  });

  it('fails when an existing environment is named for the classic 7.2 runtime', () => {
    const v = violationsOf(() =>
      resolveA2AScenario(withRuntime({ version: '7.2', existingEnvironmentName: 'ps74' })),
    );
    expect(v.map((x) => x.prop)).toEqual(['automation.runtime.existingEnvironmentName']);
    expect(v[0]!.rule).toMatch(/classic PowerShell72 runbook type, which links no runtime environment/);
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

describe('ASR-W06: the newest runtime Automation documents is past its end of support', () => {
  it('is its own warning rule, apart from ASR-W05, that a reason can suppress', () => {
    const rules = new Map(POLICY_RULES.map((r) => [r.id, r]));
    expect(rules.get('ASR-W06')).toMatchObject({ level: 'warning', needs: ['automation'] });
    expect(rules.get('ASR-W05')).toMatchObject({ level: 'warning', needs: ['automation'] });
    // The table was checked after 7.4's end of support, and 7.4 is the newest version it accepts.
    expect(POWERSHELL_RUNTIME_VERSIONS.at(-1)).toBe('7.4');
    expect(POWERSHELL_RUNTIMES['7.4'].endOfSupport <= POWERSHELL_RUNTIMES_CHECKED_ON).toBe(true);
  });

  it.each(SCENARIOS)('warns the %s scenario on the default runtime, once', (_, warningsOf) => {
    expect(warningsOf()).toEqual([W06]);
    expect(warningsOf({ version: '7.4' })).toEqual([W06]);
    expect(warningsOf({ existingEnvironmentName: 'PowerShell-7.4-Prod' })).toEqual([W06]);
  });

  it.each(SCENARIOS)('leaves the %s scenario on 7.2 to ASR-W05 alone', (_, warningsOf) => {
    expect(warningsOf({ version: '7.2' }).map((w) => w.ruleId)).toEqual(['ASR-W05']);
  });

  it.each(SCENARIOS)('is removed from the %s scenario by a suppression with a reason', (_, warningsOf) => {
    const reason = 'Automation documents no newer runtime; we move when it does';
    expect(warningsOf(undefined, [{ ruleId: 'ASR-W06', reason }])).toEqual([]);
    // Suppressing the unavoidable notice does not hide a block pinned to a retired version.
    expect(warningsOf({ version: '7.2' }, [{ ruleId: 'ASR-W06', reason }]).map((w) => w.ruleId)).toEqual([
      'ASR-W05',
    ]);
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
