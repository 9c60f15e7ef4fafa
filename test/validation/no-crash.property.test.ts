import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import fc from 'fast-check';
import {
  autoUpdateTargetFor,
  resolveA2AReplication,
  resolveA2AScenario,
  resolveAlone,
  resolveAutoUpdateAutomation,
  resolveExistingVault,
  resolveExistingVaultsScenario,
  resolveRecoveryVault,
  resolveVmwareReplication,
  resolveVmwareScenario,
  ValidationError,
  type A2AScenarioProps,
  type AutoUpdateAutomationProps,
  type ExistingVaultsScenarioProps,
  type RecoveryVaultProps,
  type RecoveryVaultSpec,
  type VmwareScenarioProps,
} from '../../constructs/domain/internal';
import {
  A2AMobilityAutoUpdate,
  ExistingVaultsMobilityAutoUpdate,
  VmwareMobilityAutoUpdate,
} from '../../constructs/pulumi';
import { PULUMI_REQUIREMENTS } from '../../constructs/pulumi/vmware-replication';
import { buildApp } from '../../stacks/cdktf/main';
import { A2AStack, ExistingStack, VmwareStack } from '../../stacks/cdktf/stacks';
import { clockFrom, ConfigError, loadConfig } from '../../stacks/config';
import { CONFIG_KEYS, scenarioFromConfig } from '../../stacks/pulumi/config';
import { runOfflineProgram } from '../../stacks/pulumi/offline';
import { PROJECT_NAME } from '../../stacks/pulumi/project-file';
import { testApp } from '../cdktf/helpers';
import { fixedClock } from '../fixtures';
import {
  A2A_EXISTING_ACCOUNT,
  A2A_FULL,
  cdktfContext,
  EXISTING_FULL,
  pulumiConfigText,
  pulumiStackSettings,
  VMWARE_FULL,
} from './inputs';
import { editsArb, mutate, show, type Json } from './mutations';

/**
 * Bad input never crashes: any JSON-representable mutation of a valid configuration ends in a
 * resolved spec or in the one documented error, never in another exception; and whatever
 * resolves synthesizes in both engines. Seeded, so a failure reproduces; fast-check prints the
 * shrunk counterexample, which then becomes a named unit test in validation.test.ts.
 * On the code before this test existed, seed 20261130 failed the domain property after 23 runs
 * and the loaders' after 2 (cdktf) and 41 (Pulumi). FC_SEED explores another seed. After main's
 * runtime and alerts were merged in, seeds 1-4 found a TypeError on the runbook link anchor when
 * the clock fails its check (seed 1 after 473 runs); seed 20261130 did not.
 */
const SEED = Number(process.env.FC_SEED ?? 20261130);
const DOMAIN_RUNS = 3000;
const LOADER_RUNS = 1000;
const APP_RUNS = 150;
const SYNTH_RUNS = 20;
const PULUMI_SYNTH_RUNS = 8;

/**
 * What a user may see from a bad configuration: the documented errors, in user terms. Plain
 * checks rather than `expect`, which would dominate the time of a few thousand runs.
 */
function expectDocumentedError(e: unknown, input: unknown): void {
  const fail = (why: string) => {
    throw new Error(`${why} for input ${show(input)}:\n${e instanceof Error ? e.stack : String(e)}`);
  };
  if (!(e instanceof ValidationError) && !(e instanceof ConfigError)) fail('not a documented error');
  const error = e as ValidationError | ConfigError;
  if (error instanceof ValidationError) {
    if (error.violations.length === 0) fail('a ValidationError without violations');
    for (const v of error.violations)
      if (typeof v.prop !== 'string' || v.prop === '' || v.rule === '')
        fail('a violation without prop or rule');
  } else if (error.problems.length === 0) fail('a ConfigError without problems');
  // A package user cannot see this repository's files: no message points at them.
  if (/constructs\/|stacks\/|\.ts\b/.test(error.message)) fail('a message that points at repository files');
}

/** Runs `fn`; returns its result, or undefined when it threw a documented error. */
function settle<T>(fn: () => T, input: unknown): T | undefined {
  try {
    return fn();
  } catch (e) {
    expectDocumentedError(e, input);
    return undefined;
  }
}

const vaultSpec: RecoveryVaultSpec = resolveAlone('RecoveryVault', (r) =>
  resolveRecoveryVault(r, (A2A_FULL as unknown as { vault: RecoveryVaultProps }).vault),
);

type EntryPoint = (input: Json) => unknown;
const full = A2A_FULL as Record<string, Json>;
const vmware = VMWARE_FULL as Record<string, Json>;

/** The domain's public entry points, each with a valid input to start from. */
const DOMAIN: Record<string, { readonly base: Json; readonly run: EntryPoint }> = {
  'A2A scenario': { base: A2A_FULL, run: (p) => resolveA2AScenario(p as unknown as A2AScenarioProps) },
  'A2A scenario, existing account': {
    base: A2A_EXISTING_ACCOUNT,
    run: (p) => resolveA2AScenario(p as unknown as A2AScenarioProps),
  },
  'VMware scenario': {
    base: VMWARE_FULL,
    run: (p) => resolveVmwareScenario(p as unknown as VmwareScenarioProps),
  },
  'VMware scenario, Pulumi': {
    base: VMWARE_FULL,
    run: (p) => resolveVmwareScenario(p as unknown as VmwareScenarioProps, PULUMI_REQUIREMENTS),
  },
  'Existing vaults scenario': {
    base: EXISTING_FULL,
    run: (p) => resolveExistingVaultsScenario(p as unknown as ExistingVaultsScenarioProps),
  },
  'RecoveryVault.fromVaultId': {
    base: {
      ...((EXISTING_FULL as { vaults: Json[] }).vaults[0] as Record<string, Json>),
      location: 'westeurope',
    },
    run: (p) => resolveAlone('RecoveryVault.fromVaultId', (r) => resolveExistingVault(r, p as never, true)),
  },
  RecoveryVault: {
    base: full.vault!,
    run: (p) =>
      resolveAlone('RecoveryVault', (r) => resolveRecoveryVault(r, p as unknown as RecoveryVaultProps)),
  },
  AutoUpdateAutomation: {
    base: {
      ...(full.automation as Record<string, Json>),
      providers: ['A2A', 'InMageRcm'],
      autoUpdateAction: 'Enabled',
    },
    run: (p) =>
      resolveAlone('AutoUpdateAutomation', (r) =>
        resolveAutoUpdateAutomation(r, p as unknown as AutoUpdateAutomationProps, vaultSpec),
      ),
  },
  A2AReplication: {
    base: full.replication!,
    run: (p) =>
      resolveAlone('A2AReplication', (r) =>
        resolveA2AReplication(r, p as never, vaultSpec, autoUpdateTargetFor(r, vaultSpec, true)),
      ),
  },
  VmwareReplication: {
    base: vmware.replication!,
    run: (p) =>
      resolveAlone('VmwareReplication', (r) => resolveVmwareReplication(r, p as never, PULUMI_REQUIREMENTS)),
  },
};

/** Resolves what the Pulumi config describes, as the program does. */
function resolveConfigured(s: ReturnType<typeof scenarioFromConfig>): unknown {
  if (s.scenario === 'a2a') return resolveA2AScenario(s.props);
  if (s.scenario === 'existing') return resolveExistingVaultsScenario(s.props);
  return resolveVmwareScenario(s.props, PULUMI_REQUIREMENTS);
}

describe('bad input never crashes (property)', () => {
  it('starts from valid inputs, so that mutations reach every prop (runtime and alerts included)', () => {
    for (const { base, run } of Object.values(DOMAIN)) expect(() => run(base)).not.toThrow();
    const config = loadConfig(cdktfContext(), {});
    expect(() =>
      resolveA2AScenario({ ...config.a2a!, automation: { clock: fixedClock, ...config.a2a!.automation } }),
    ).not.toThrow();
    const automation = (A2A_FULL as { automation: Record<string, Json> }).automation;
    expect(Object.keys(automation)).toEqual(expect.arrayContaining(['runtime', 'alerts']));
    const jsonKeys = Object.entries(CONFIG_KEYS)
      .filter(([, v]) => 'json' in v && v.json)
      .map(([k]) => k);
    for (const stack of ['a2a', 'vmware', 'existing'] as const) {
      const config = pulumiConfigText(pulumiStackSettings(stack, jsonKeys));
      const s = scenarioFromConfig(
        {
          get: (key) => (Object.hasOwn(config, key) ? config[key] : undefined),
          keys: () => Object.keys(config),
        },
        fixedClock,
      );
      expect(s.scenario).toBe(stack);
      expect(() => resolveConfigured(s)).not.toThrow();
    }
  });

  it('every mutation of a valid input to a domain entry point resolves or throws one ValidationError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(DOMAIN)), editsArb, (entry, edits) => {
        const { base, run } = DOMAIN[entry]!;
        const input = mutate(base, edits);
        const spec = settle(() => run(input), input);
        // A resolved spec is plain data: it survives JSON (no functions, cycles or stray prototypes).
        if (spec !== undefined) expect(() => JSON.stringify(spec)).not.toThrow();
      }),
      { seed: SEED, numRuns: DOMAIN_RUNS },
    );
  });

  /** A cdktf configuration: the context of cdktf.json, mutated, some of it moved to ASR_* variables. */
  const cdktfInput = (dir: string) =>
    fc
      .tuple(
        editsArb,
        fc.constantFrom('context', 'inline', 'file', 'missing file', 'not JSON'),
        fc.constantFrom('a2a', 'vmware', 'existing', 'backend', 'whole'),
      )
      .map(([edits, via, key]) => {
        const context = mutate(cdktfContext(), edits);
        const env: Record<string, string> = { ASR_NOW: '2026-11-22T10:00:00Z' };
        if (via === 'context') return { context, env };
        const name = key === 'whole' ? 'ASR_CONFIG' : `ASR_${key.toUpperCase()}`;
        const value =
          key === 'whole'
            ? context
            : context !== null && typeof context === 'object' && !Array.isArray(context)
              ? context[key]
              : undefined;
        const text = via === 'not JSON' ? '{"vault": ' : JSON.stringify(value ?? null);
        if (via === 'inline' || via === 'not JSON') env[name] = text;
        else if (via === 'file') {
          const file = join(dir, `${name}.json`);
          writeFileSync(file, text);
          env[name] = `@${file}`;
        } else env[name] = '@missing.json';
        return { context: key === 'whole' ? null : context, env };
      });

  it('every mutation of the cdktf configuration (context, ASR_* variables, @file) resolves or fails with a documented error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'asr-prop-'));
    try {
      fc.assert(
        fc.property(cdktfInput(dir), (input) => {
          // What the cdktf app does before it adds a stack: read the config, then resolve each scenario.
          const config = settle(() => loadConfig(input.context, input.env), input);
          if (!config) return;
          const clock = clockFrom(input.env);
          const withClock = (automation: unknown) =>
            automation === undefined ||
            (typeof automation === 'object' && automation !== null && !Array.isArray(automation))
              ? { clock, ...automation }
              : automation;
          if (config.a2a)
            settle(
              () =>
                resolveA2AScenario({
                  ...config.a2a!,
                  automation: withClock(config.a2a!.automation) as never,
                }),
              input,
            );
          if (config.vmware)
            settle(
              () =>
                resolveVmwareScenario({
                  ...config.vmware!,
                  automation: withClock(config.vmware!.automation) as never,
                }),
              input,
            );
          if (config.existing)
            settle(
              () =>
                resolveExistingVaultsScenario({
                  ...config.existing!,
                  automation: withClock(config.existing!.automation) as never,
                }),
              input,
            );
        }),
        { seed: SEED, numRuns: LOADER_RUNS },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the cdktf app itself builds its stacks or fails with a documented error, for the same mutations', () => {
    const dir = mkdtempSync(join(tmpdir(), 'asr-prop-'));
    try {
      fc.assert(
        fc.property(cdktfInput(dir), (input) => {
          settle(() => buildApp(testApp({ asr: input.context }), input.env), input);
        }),
        { seed: SEED, numRuns: APP_RUNS },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every mutation of the Pulumi stack configuration resolves or fails with a documented error', () => {
    const jsonKeys = Object.entries(CONFIG_KEYS)
      .filter(([, v]) => 'json' in v && v.json)
      .map(([k]) => k);
    const bases = {
      a2a: pulumiStackSettings('a2a', jsonKeys),
      vmware: pulumiStackSettings('vmware', jsonKeys),
      existing: pulumiStackSettings('existing', jsonKeys),
    };
    fc.assert(
      fc.property(fc.constantFrom('a2a', 'vmware', 'existing' as const), editsArb, (stack, edits) => {
        const settings = mutate(bases[stack], edits);
        const config = pulumiConfigText(settings);
        settle(() => {
          const s = scenarioFromConfig(
            {
              get: (key) => (Object.hasOwn(config, key) ? config[key] : undefined),
              keys: () => Object.keys(config),
            },
            fixedClock,
          );
          return resolveConfigured(s);
        }, settings);
      }),
      { seed: SEED, numRuns: LOADER_RUNS },
    );
  });

  const SCENARIOS = { a2a: A2A_FULL, vmware: VMWARE_FULL, existing: EXISTING_FULL } as const;
  type Scenario = keyof typeof SCENARIOS;
  const resolves = (scenario: Scenario, input: Json): boolean => {
    try {
      if (scenario === 'a2a') resolveA2AScenario(input as unknown as A2AScenarioProps);
      else if (scenario === 'existing')
        resolveExistingVaultsScenario(input as unknown as ExistingVaultsScenarioProps);
      else resolveVmwareScenario(input as unknown as VmwareScenarioProps, PULUMI_REQUIREMENTS);
      return true;
    } catch (e) {
      expectDocumentedError(e, input);
      return false;
    }
  };

  it('whatever resolves synthesizes with cdktf', () => {
    fc.assert(
      fc.property(fc.constantFrom<Scenario>('a2a', 'vmware', 'existing'), editsArb, (scenario, edits) => {
        const input = mutate(SCENARIOS[scenario], edits);
        fc.pre(resolves(scenario, input));
        const app = testApp();
        const stack =
          scenario === 'a2a'
            ? new A2AStack(app, 'a2a', input as unknown as A2AScenarioProps, { clock: fixedClock })
            : scenario === 'existing'
              ? new ExistingStack(app, 'existing', input as unknown as ExistingVaultsScenarioProps, {
                  clock: fixedClock,
                })
              : new VmwareStack(app, 'vmware', input as unknown as VmwareScenarioProps, {
                  clock: fixedClock,
                });
        const doc = JSON.parse(Testing.synth(stack)) as { resource: Record<string, unknown> };
        expect(Object.keys(doc.resource)).toContain(
          scenario === 'existing' ? 'azurerm_automation_account' : 'azurerm_recovery_services_vault',
        );
      }),
      { seed: SEED, numRuns: SYNTH_RUNS },
    );
  });

  it('whatever resolves registers with Pulumi (under mocks)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Scenario>('a2a', 'vmware', 'existing'),
        editsArb,
        async (scenario, edits) => {
          const input = mutate(SCENARIOS[scenario], edits);
          fc.pre(resolves(scenario, input));
          const preview = await runOfflineProgram(
            () =>
              scenario === 'a2a'
                ? new A2AMobilityAutoUpdate('a2a', input as unknown as A2AScenarioProps)
                : scenario === 'existing'
                  ? new ExistingVaultsMobilityAutoUpdate(
                      'existing',
                      input as unknown as ExistingVaultsScenarioProps,
                    )
                  : new VmwareMobilityAutoUpdate('vmware', input as unknown as VmwareScenarioProps),
            { project: PROJECT_NAME, stack: 'property' },
          );
          expect(preview.resources.map((r) => r.type)).toContain(
            scenario === 'existing'
              ? 'azure-native:automation:AutomationAccount'
              : 'azure-native:recoveryservices:Vault',
          );
        },
      ),
      { seed: SEED, numRuns: PULUMI_SYNTH_RUNS },
    );
  });
});
