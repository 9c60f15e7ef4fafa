import { readdirSync } from 'node:fs';
import { coverageProblems, dutyProblems, runbookCoverageDuty, type CoverageDuty } from './contract';
import { EXECUTION_COVERAGE } from './execution-coverage';

/**
 * The execution scenarios are split by concern into test/runbook/execution-*.test.ts; each file checks,
 * after its scenarios, the contract operations it is responsible for (EXECUTION_COVERAGE). These tests
 * prove that those duties add up to every operation of the runbook's contracts, so that an operation no
 * scenario exercises still fails the suite.
 */
const required = runbookCoverageDuty();

/** The duties with `key` taken out of every file's `kind` list. */
const without = (kind: keyof CoverageDuty, key: string): Record<string, CoverageDuty> =>
  Object.fromEntries(
    Object.entries(EXECUTION_COVERAGE).map(([file, d]) => [
      file,
      { ...d, [kind]: d[kind].filter((k) => k !== key) },
    ]),
  );

describe("the execution scenario files' contract coverage", () => {
  it('names the seven operations of the contracts the runbook calls, four of them with an example', () => {
    expect([...required.exercised].sort()).toEqual([
      'AzureAsyncOperation_Status@2026-05-01',
      'Location_Result@2026-05-01',
      'ManagedIdentity_GetToken@2019-08-01',
      'ReplicationProtectedItems_List@2026-05-01',
      'ReplicationProtectionContainerMappings_Get@2026-05-01',
      'ReplicationProtectionContainerMappings_List@2026-05-01',
      'ReplicationProtectionContainerMappings_Update@2026-05-01',
    ]);
    expect(required.examples).toHaveLength(4);
  });

  it('gives every operation of the runbook contracts to at least one scenario file', () => {
    expect(dutyProblems(EXECUTION_COVERAGE, required)).toBe('');
  });

  it('has a duty for each execution scenario file and a file for each duty', () => {
    const files = readdirSync(__dirname).filter(
      (f) => /^execution-.+\.test\.ts$/.test(f) && f !== 'execution-coverage.test.ts',
    );
    expect(Object.keys(EXECUTION_COVERAGE).sort()).toEqual(files.sort());
  });

  it.each(required.exercised)('fails when no scenario file is responsible for exercising %s', (key) => {
    expect(dutyProblems(without('exercised', key), required)).toBe(
      `no scenario file is responsible for exercising ${key}`,
    );
  });

  it.each(required.examples)(
    "fails when no scenario file is responsible for answering %s with the specification's example",
    (key) => {
      expect(dutyProblems(without('examples', key), required)).toBe(
        `no scenario file is responsible for answering with the specification's example ${key}`,
      );
    },
  );

  it('fails when a duty names an operation that is not in the runbook contracts', () => {
    expect(
      dutyProblems(
        {
          ...EXECUTION_COVERAGE,
          'execution-x.test.ts': { exercised: ['Resources@2024-04-01'], examples: [] },
        },
        required,
      ),
    ).toBe(
      "execution-x.test.ts is responsible for Resources@2024-04-01, not an operation of the runbook's contracts",
    );
  });

  it("fails when a file's coverage misses one of its operations (nothing is exercised in this file)", () => {
    const duty = EXECUTION_COVERAGE['execution-updates.test.ts']!;
    expect(coverageProblems(duty.exercised, duty.examples)).toBe(
      `contract coverage: never exercised ${duty.exercised.join(', ')}; never answered with the specification's example ${duty.examples.join(', ')}`,
    );
  });
});
