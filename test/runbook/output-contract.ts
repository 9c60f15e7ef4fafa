import { IDENTITY_SECRET, type FakeArm } from './fake-arm';
import { everything, type RunResult } from './harness';

/** The outcomes after which a job completes normally; every other outcome throws after the summary. */
export const SUCCESS_OUTCOMES: readonly string[] = ['Succeeded', 'NoChange', 'DryRun'];

/**
 * The runbook's output contract, checked after every run of every suite: exactly one JSON document
 * (schema 3) on the Output stream, a throw for every outcome but a success, no token or identity
 * header in any stream, no request the fake ARM refused by its contract, none to a foreign host, the
 * identity endpoint asked without a bearer token, and every ARM request with its api-version.
 */
export function expectOutputContract(
  arm: FakeArm,
  result: { runs: RunResult[]; process: { stdout: string; stderr: string } },
): void {
  for (const r of result.runs) {
    expect(r.outputTypes).toEqual(['System.String']);
    expect(r.summary).toBeDefined();
    expect(r.summary.schemaVersion).toBe(3);
    expect(r.threw).toBe(!SUCCESS_OUTCOMES.includes(r.summary.outcome));
  }
  const all = everything({ runs: result.runs, process: { ...result.process, exitCode: 0, wallMs: 0 } });
  for (const token of arm.issuedTokens) expect(all).not.toContain(token);
  expect(all).not.toContain(IDENTITY_SECRET);
  expect(arm.violations).toEqual([]);
  expect(arm.foreign()).toEqual([]);
  for (const r of arm.identity()) expect(r.headers.authorization).toBeUndefined();
  for (const r of arm.arm()) expect(r.query.get('api-version')).toBeTruthy();
}
