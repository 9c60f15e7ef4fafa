import {
  planScenario,
  POWERSHELL_RUNTIME_VERSIONS,
  POWERSHELL_RUNTIMES,
  resolveA2AScenario,
  resolveVmwareScenario,
  runbookAsset,
  type A2AScenarioProps,
  type RunbookRuntimeProps,
} from '../../constructs/domain/internal';
import { a2aProps, fixedClock, violationsOf, vmwareProps } from '../fixtures';

const withRuntime = (runtime: unknown): A2AScenarioProps =>
  a2aProps({ automation: { clock: fixedClock, runtime: runtime as RunbookRuntimeProps } });
const RUNTIME_ENVIRONMENTS = 'Microsoft.Automation/automationAccounts/runtimeEnvironments';
const RUNBOOKS = 'Microsoft.Automation/automationAccounts/runbooks';

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
      expect(spec.warnings.map((w) => w.ruleId)).not.toContain('ASR-W05');
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

  it('fails when the version is one Azure Automation does not document, listing the accepted ones', () => {
    for (const version of ['7.6', '5.1', 7.4, '7']) {
      expect(violationsOf(() => resolveA2AScenario(withRuntime({ version })))).toEqual([
        {
          prop: 'automation.runtime.version',
          value: version,
          rule: "must be a PowerShell version Azure Automation documents for runbooks: '7.2', '7.4'",
        },
      ]);
    }
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
