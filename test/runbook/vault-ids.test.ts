import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCOUNT_ID, FakeArm, VAULT_ID, type Recorded } from './fake-arm';
import { closeWorkers, runRunbook, type JobParameters, type RunResult } from './harness';
import { locatePwsh, type Pwsh } from './pwsh';

/**
 * One rule for a vault id, on the runbook's side: every id of the shared table
 * (test/fixtures/vault-id-cases.json, which the domain's tests read too) goes to the real runbook as
 * `VaultResourceId`, with -DryRun, all of them through one warm pwsh. The good ones reach the fake
 * ARM at exactly that vault; the bad ones end InvalidInput before any request.
 */
interface VaultIdCase {
  readonly name: string;
  readonly id: string;
}
const table = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'vault-id-cases.json'), 'utf8')) as {
  good: VaultIdCase[];
  bad: VaultIdCase[];
};

const lookup = locatePwsh();
const inCi = process.env.CI === 'true';
let pwsh: Pwsh;

beforeAll(() => {
  if (lookup.found) pwsh = lookup.pwsh;
  else if (inCi) throw new Error(`pwsh is required under CI: ${lookup.missing}`);
  else console.warn(`Skipping the runbook's vault id cases: ${lookup.missing}`);
});
afterAll(() => closeWorkers());

const job = (arm: FakeArm, id: string): JobParameters => ({
  vaultresourceid: id,
  autoupdateaction: 'Enabled',
  automationaccountarmid: ACCOUNT_ID,
  providers: 'A2A',
  armendpoint: arm.armEndpoint,
  timeoutseconds: '60',
  dryrun: true,
  skipagentreport: true,
});

/** The vault a request is about: its path decoded (ARM decodes it), in lower case, without the Site Recovery suffix. */
const vaultOf = (r: Recorded) =>
  decodeURIComponent(r.path)
    .toLowerCase()
    .replace(/\/replicationprotectioncontainermappings$/, '');

const maybe = lookup.found || inCi ? it : it.skip;

describe('the runbook applies the one rule for a vault id (the shared table)', () => {
  maybe(
    'accepts every good id: a dry run that lists the mappings of exactly that vault',
    async () => {
      const wanted = new Set(table.good.map((c) => c.id.replace(/\/$/, '').toLowerCase()));
      const arm = await new FakeArm({
        vaultId: VAULT_ID,
        mappings: [],
        // Every good vault has no mapping; paths are compared decoded, as ARM compares them.
        hook: (r) =>
          r.method === 'GET' &&
          wanted.has(vaultOf(r)) &&
          /replicationProtectionContainerMappings$/i.test(r.path)
            ? { status: 200, body: { value: [] } }
            : undefined,
      }).start();
      try {
        const { runs } = await runRunbook(
          pwsh,
          table.good.map((c) => job(arm, c.id)),
          arm.identityEnv,
        );
        const outcomes = runs.map((r: RunResult, i) => [table.good[i]!.name, r.summary?.outcome]);
        expect(outcomes).toEqual(table.good.map((c) => [c.name, 'DryRun']));
        const listed = arm.arm().map(vaultOf);
        expect([...new Set(listed)].sort()).toEqual([...wanted].sort());
        expect(arm.writes()).toEqual([]);
      } finally {
        await arm.close();
      }
    },
    120_000,
  );

  maybe(
    'fails when the id is bad: InvalidInput for every bad id, with zero requests',
    async () => {
      const arm = await new FakeArm({ vaultId: VAULT_ID, mappings: [] }).start();
      try {
        const { runs } = await runRunbook(
          pwsh,
          table.bad.map((c) => job(arm, c.id)),
          arm.identityEnv,
        );
        const outcomes = runs.map((r: RunResult, i) => [table.bad[i]!.name, r.summary?.outcome]);
        expect(outcomes).toEqual(table.bad.map((c) => [c.name, 'InvalidInput']));
        for (const r of runs) expect(r.threw).toBe(true);
        expect(arm.requests).toEqual([]);
      } finally {
        await arm.close();
      }
    },
    120_000,
  );
});
