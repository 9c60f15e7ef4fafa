import { basename } from 'node:path';
import {
  ACCOUNT_ID,
  FakeArm,
  VAULT_ID,
  mapping,
  type FakeArmOptions,
  type Mapping,
  type Recorded,
  type Reply,
} from './fake-arm';
import { closeWorkers, runRunbook, type JobParameters, type RunResult, type RunbookSummary } from './harness';
import { contractReport, coverageProblems } from './contract';
import { EXECUTION_COVERAGE } from './execution-coverage';
import { expectOutputContract } from './output-contract';
import { locatePwsh, pinnedPwshVersion, type Pwsh } from './pwsh';

/**
 * What the runbook's execution scenario files (test/runbook/execution-*.test.ts) share: the shipped runbook,
 * executed by real PowerShell (the version pinned in .config/dotnet-tools.json) against a fake Azure
 * Resource Manager on loopback. Each scenario starts its own servers and closes them; at most two pwsh
 * processes run at once (see harness.ts). Without pwsh the scenarios are skipped with one line saying why,
 * except under CI=true, where a missing pwsh fails the run.
 *
 * Jest gives each test file its own module registry, so the counters below are those of the file that
 * declares the scenarios; `executionScenarios` checks, once all of a file's scenarios passed, the contract
 * operations that file is responsible for (execution-coverage.ts), and execution-coverage.test.ts proves
 * that the files together cover every operation the runbook's contracts list.
 */
const lookup = locatePwsh();
const inCi = process.env.CI === 'true';

let declared = 0;
let passed = 0;
let pwsh: Pwsh;

export interface Scenario {
  arm: FakeArm;
  /** The PowerShell the scenarios run under. */
  pwsh: Pwsh;
  run: (params: JobParameters | JobParameters[], env?: Record<string, string>) => Promise<RunResult[]>;
}

/** Parameters as the job schedule sends them (lower-cased), pointed at the fake ARM. */
export const job = (arm: FakeArm, extra: Record<string, string | boolean> = {}): JobParameters => ({
  vaultresourceid: VAULT_ID,
  autoupdateaction: 'Enabled',
  automationaccountarmid: ACCOUNT_ID,
  providers: 'A2A',
  armendpoint: arm.armEndpoint,
  timeoutseconds: '60',
  ...extra,
});

/** A fleet job: the vault list instead of the one vault id. */
export const fleetJob = (
  arm: FakeArm,
  ids: string,
  extra: Record<string, string | boolean> = {},
): JobParameters => {
  const params: Record<string, string | boolean> = { ...job(arm, extra), vaultresourceids: ids };
  delete params.vaultresourceid;
  return { ...params, ...extra };
};

/** Declares one scenario: its own fake ARM, closed afterwards; the output contract on every run. */
export function scenario(
  name: string,
  options: Partial<FakeArmOptions>,
  body: (s: Scenario) => Promise<void>,
): void {
  declared++;
  it.concurrent(name, async () => {
    const arm = await new FakeArm({ vaultId: VAULT_ID, mappings: [], ...options }).start();
    arm.contract.scenario = name;
    try {
      await body({
        arm,
        pwsh,
        run: async (params, env) => {
          const result = await runRunbook(
            pwsh,
            Array.isArray(params) ? params : [params],
            env ?? arm.identityEnv,
          );
          expectOutputContract(arm, result);
          return result.runs;
        },
      });
      passed++;
    } finally {
      await arm.close();
    }
  });
}

/** Declares one check that starts its own pwsh (no fake ARM of its own), counted like a scenario. */
export function pwshCheck(
  name: string,
  body: (pwsh: Pwsh) => Promise<void>,
  options: { concurrent?: boolean; timeout?: number } = {},
): void {
  declared++;
  (options.concurrent ? it.concurrent : it)(
    name,
    async () => {
      await body(pwsh);
      passed++;
    },
    options.timeout,
  );
}

export const a2a = (n: number, prefix = 'm') => Array.from({ length: n }, (_, i) => mapping(`${prefix}${i}`));
export const enabled = (name: string, extra: Parameters<typeof mapping>[1] = {}) =>
  mapping(name, { status: 'Enabled', account: ACCOUNT_ID, auth: 'SystemAssignedIdentity', ...extra });
export const itemOf = (s: RunbookSummary, m: Mapping) => s.mappings.find((i) => i.id === m.id)!;
export const results = (s: RunbookSummary) =>
  Object.fromEntries(s.mappings.map((i) => [i.id.split('/').pop(), i.result]));
export const bodyOf = (r: Recorded) =>
  JSON.parse(r.body) as { properties: { providerSpecificInput: Record<string, string> } };
/** A reply for the first `times` requests matching `when`, then the default behaviour. */
export function firstTimes(
  times: number,
  when: (r: Recorded) => boolean,
  reply: (r: Recorded, n: number) => Reply,
) {
  let n = 0;
  return (r: Recorded): Reply | undefined => {
    if (!when(r) || n >= times) return undefined;
    n++;
    return reply(r, n);
  };
}
export const isList = (r: Recorded) =>
  r.method === 'GET' && /replicationProtectionContainerMappings$/i.test(r.path);
export const armError = (status: number, code: string, message: string): Reply => ({
  status,
  body: { error: { code, message } },
});

/**
 * The `describe` of one execution scenario file (`path` is its `__filename`; its base name is a key of
 * EXECUTION_COVERAGE).
 * After the file's scenarios: the count and PowerShell version, the file's contract report, and, when every
 * scenario ran and passed, a failure if an operation the file is responsible for went uncovered.
 */
export function executionScenarios(path: string, concern: string, declare: () => void): void {
  const file = basename(path);
  const duty = EXECUTION_COVERAGE[file];
  if (!duty)
    throw new Error(`${file} has no entry in EXECUTION_COVERAGE (test/runbook/execution-coverage.ts)`);
  if (!lookup.found) {
    if (inCi) {
      it('fails when CI=true and no pwsh is found (the runbook must be executed in CI)', () => {
        throw new Error(`No PowerShell for the runbook scenarios: ${lookup.missing}`);
      });
    } else {
      console.log(`runbook scenarios (${file}) skipped: no PowerShell found (${lookup.missing})`);
    }
  } else {
    pwsh = lookup.pwsh;
  }
  (lookup.found ? describe : describe.skip)(
    `the runbook under real pwsh against a fake ARM: ${concern}`,
    () => {
      afterAll(() => {
        closeWorkers();
        if (lookup.found)
          console.log(
            `runbook scenarios (${file}): ${passed} of ${declared} passed with PowerShell ${pwsh.version} (${pwsh.source}; pinned ${pinnedPwshVersion()})`,
          );
        console.log(contractReport(`the execution scenarios (test/runbook/${file})`));
        if (passed === declared) {
          const problems = coverageProblems(duty.exercised, duty.examples);
          if (problems) throw new Error(`${file}: ${problems}`);
        }
      });
      declare();
    },
  );
}
