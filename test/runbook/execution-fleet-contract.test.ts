import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ACCOUNT_ID,
  FakeArm,
  mapping,
  protectedItem,
  VAULT_ID,
  type JsonObject,
  type Mapping,
  type Recorded,
} from './fake-arm';
import { RUNBOOK, runRunbookProcess, type FleetSummary } from './harness';
import { contractCoverage } from './contract';
import {
  armError,
  bodyOf,
  executionScenarios,
  fleetJob,
  isList,
  job,
  pwshCheck,
  scenario,
} from './scenarios';

/** The runbook's execution scenarios: fleets and Microsoft's API contract (shared helpers: scenarios.ts). */
executionScenarios(__filename, "fleets and Microsoft's API contract", () => {
  // ------------------------------------------------------------------------ fleets (VaultResourceIds)
  (() => {
    const vaultB = VAULT_ID.replace(/vault-a$/, 'vault-b');
    const vaultC = VAULT_ID.replace(/vault-a$/, 'vault-c');
    const current = (name: string, vault: string, expiry = '2027-06-01T00:00:00Z') =>
      protectedItem(
        name,
        {
          provider: 'A2A',
          agentVersion: '9.62.1.1',
          agentExpiryDate: expiry,
          isReplicationAgentUpdateRequired: false,
          isReplicationAgentCertificateUpdateRequired: false,
        },
        vault,
      );
    scenario(
      'reconciles several vaults in one job: one answering 403 does not stop the others; a section per vault and the overall outcome',
      {
        otherVaults: [vaultB, vaultC],
        mappings: [
          mapping('a0'),
          mapping('a1'),
          mapping('b0', {}, vaultB),
          mapping('c0', { status: 'Enabled', account: ACCOUNT_ID, auth: 'SystemAssignedIdentity' }, vaultC),
        ],
        protectedItems: [
          current('vm-a', VAULT_ID),
          current('vm-c1', vaultC),
          current('vm-c2', vaultC, '2026-10-01T00:00:00Z'),
        ],
        hook: (r) =>
          r.path.toLowerCase().startsWith(vaultB.toLowerCase())
            ? armError(403, 'AuthorizationFailed', 'The identity has no role on vault-b.')
            : undefined,
      },
      async ({ arm, run }) => {
        const [r] = await run(
          fleetJob(arm, [VAULT_ID, ` ${vaultB}`, `${vaultC.toLowerCase()}/`].join(','), {
            reporttimeutc: '2026-11-30T00:00:00Z',
          }),
        );
        const s = r!.summary as unknown as FleetSummary;
        expect(r!.threw).toBe(true);
        expect(s.outcome).toBe('PartiallyFailed');
        // Each section names its vault as given (trimmed).
        expect(s.sections.map((x) => [/vaults\/([^/]+)/.exec(x.vault)![1], x.outcome])).toEqual([
          ['vault-a', 'Succeeded'],
          ['vault-b', 'Failed'],
          ['vault-c', 'AgentsNeedAttention'],
        ]);
        expect(s.vaultOutcomes).toEqual({ Succeeded: 1, Failed: 1, AgentsNeedAttention: 1 });
        expect(s.counts).toEqual({
          listed: 3,
          unchanged: 1,
          skipped: 0,
          planned: 2,
          succeeded: 2,
          failed: 0,
          timedOut: 0,
        });
        expect(s.agentCounts).toMatchObject({ OutOfSupport: 1, Current: 2 });
        expect(s.sections[1]!.message).toContain('AuthorizationFailed');
        expect(s.sections[1]!.agents!.state).toBe('NotRead');
        expect(s.sections[2]!.agents!.machines.map((m) => m.name)).toEqual(['vm-c2', 'vm-c1']);
        expect(s.sections[2]!.vault).toBe(`${vaultC.toLowerCase()}/`);
        expect(s.message).toContain('3 vault(s)');
        expect(r!.warnings.join('\n')).toContain('vault-b');
        // vault-b: one request (its listing, refused); no report read after it; vault-c still done.
        expect(arm.arm().filter((q) => q.path.toLowerCase().startsWith(vaultB.toLowerCase()))).toHaveLength(
          1,
        );
        expect(
          arm.mapping(arm.options.mappings[0]!.id).properties.providerSpecificDetails!.agentAutoUpdateStatus,
        ).toBe('Enabled');
        // A fleet that is in order (the report skipped) completes normally.
        const [again] = await run(fleetJob(arm, `${VAULT_ID},${vaultC}`, { skipagentreport: true }));
        const t = again!.summary as unknown as FleetSummary;
        expect(t.outcome).toBe('NoChange');
        expect(t.sections.map((x) => x.agents!.state)).toEqual(['Skipped', 'Skipped']);
      },
    );

    scenario(
      'fails when the one deadline runs out in a fleet one vault at a time: the vault that hangs TimedOut, the one after it NotStarted (never missing), within TimeoutSeconds',
      {
        otherVaults: [vaultB],
        mappings: [mapping('a0'), mapping('b0', {}, vaultB)],
        hook: (r) =>
          isList(r) && r.path.toLowerCase().startsWith(VAULT_ID.toLowerCase()) ? { status: 0 } : undefined,
      },
      async ({ arm, run }) => {
        const [r] = await run(
          fleetJob(arm, `${VAULT_ID},${vaultB}`, { timeoutseconds: '5', maxparallelvaults: '1' }),
        );
        const s = r!.summary as unknown as FleetSummary;
        // No vault succeeded: the fleet is Failed, not PartiallyFailed.
        expect(s.outcome).toBe('Failed');
        expect(s.sections.map((x) => x.outcome)).toEqual(['TimedOut', 'NotStarted']);
        expect(s.sections[0]!.agents!.message).toContain('deadline passed');
        expect(s.sections[1]!.message).toMatch(/^Not started/);
        expect(s.sections[1]!.agents!.state).toBe('NotRead');
        expect(r!.ms).toBeLessThan(9000);
        expect(arm.writes()).toEqual([]);
        expect(arm.arm().filter((q) => q.path.toLowerCase().startsWith(vaultB.toLowerCase()))).toEqual([]);
      },
    );

    scenario(
      'fails when VaultResourceIds is malformed, names a vault twice, is too long, or comes with VaultResourceId: InvalidInput, zero requests',
      {},
      async ({ arm, run }) => {
        const base = (ids: string, single?: string) =>
          fleetJob(arm, ids, single ? { vaultresourceid: single } : {});
        const many = Array.from({ length: 2001 }, (_, i) => VAULT_ID.replace(/vault-a$/, `vault-${i}`)).join(
          ',',
        );
        const cases = [
          base(`${VAULT_ID},/subscriptions/nope`),
          base(`${VAULT_ID},`),
          base(`${VAULT_ID},${VAULT_ID.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/')}`),
          base(`${VAULT_ID},${VAULT_ID}/`),
          base(many),
          base(vaultB, VAULT_ID),
        ];
        const runs = await run(cases);
        expect(runs.map((r) => r.summary.outcome)).toEqual(cases.map(() => 'InvalidInput'));
        expect(
          runs.map((r) => /twice|at most 2000|cannot be combined|must be/.test(r.summary.message)),
        ).toEqual(cases.map(() => true));
        expect((runs[4]!.summary as unknown as FleetSummary).vaults).toHaveLength(2001);
        expect(arm.requests).toEqual([]);
      },
    );
  })();
  // ------------------------------------------------------------------------ Microsoft's contract (test/fixtures/contracts)
  (() => {
    interface Example {
      parameters: JsonObject;
      responses: Record<string, { body?: JsonObject }>;
    }
    const example = (name: string) =>
      JSON.parse(
        readFileSync(join(__dirname, '..', 'fixtures', 'contracts', 'examples', `${name}.json`), 'utf8'),
      ) as Example;
    const list = example('ReplicationProtectionContainerMappings_List');
    const get = example('ReplicationProtectionContainerMappings_Get');
    const update = example('ReplicationProtectionContainerMappings_Update');
    const items = example('ReplicationProtectedItems_List');
    // The examples' own vault: no id is rewritten.
    const p = list.parameters;
    const exampleVault = `/subscriptions/${String(p.subscriptionId)}/resourceGroups/${String(p.resourceGroupName)}/providers/Microsoft.RecoveryServices/vaults/${String(p.resourceName)}`;
    const updated = update.responses['200']!.body as unknown as Mapping;
    const exampleAccount = String(updated.properties.providerSpecificDetails!.automationAccountArmId);
    const isItems = (r: Recorded) => r.method === 'GET' && /replicationProtectedItems$/i.test(r.path);
    const name =
      "fails when the mapping read back is the specification's Get example (no managed identity): the specification's own list, get, update and protected-items responses are read unchanged";
    scenario(
      name,
      { vaultId: exampleVault, mappings: [JSON.parse(JSON.stringify(updated)) as Mapping] },
      async ({ arm, run }) => {
        // The list example (a mapping without provider details) and the protected-items example (Hyper-V).
        arm.hook = (r) =>
          isList(r)
            ? { status: 200, body: list.responses['200']!.body! }
            : isItems(r)
              ? { status: 200, body: items.responses['200']!.body! }
              : undefined;
        const job1 = job(arm, { vaultresourceid: exampleVault, automationaccountarmid: exampleAccount });
        const [listed] = await run(job1);
        expect(listed!.summary.outcome).toBe('NoChange');
        expect(listed!.summary.mappings.map((m) => [m.provider, m.result])).toEqual([[null, 'Skipped']]);
        expect([listed!.summary.agents!.protectedItems, listed!.summary.agents!.otherProviders]).toEqual([
          1, 1,
        ]);
        // The Update example's mapping (A2A, enabled, Run As by default) is planned: moved to the managed
        // identity. The PATCH is answered with the Update example, the read-back with the Get example.
        arm.hook = (r) =>
          r.method === 'PATCH'
            ? { status: 200, body: update.responses['200']!.body! }
            : r.method === 'GET' && r.path.toLowerCase() === updated.id.toLowerCase()
              ? { status: 200, body: get.responses['200']!.body! }
              : undefined;
        const [patched] = await run(job1);
        expect(patched!.summary.mappings[0]).toMatchObject({
          result: 'Failed',
          errorCode: 'VerificationMismatch',
        });
        expect(bodyOf(arm.patchesOf(updated.id)[0]!).properties.providerSpecificInput).toEqual({
          instanceType: 'A2A',
          agentAutoUpdateStatus: 'Enabled',
          automationAccountAuthenticationType: 'SystemAssignedIdentity',
          automationAccountArmId: exampleAccount,
        });
        const answered = (id: string) =>
          contractCoverage()
            .find((c) => c.key === `${id}@2026-05-01`)!
            .examples.has(name);
        expect(
          [
            'ReplicationProtectionContainerMappings_List',
            'ReplicationProtectionContainerMappings_Get',
            'ReplicationProtectionContainerMappings_Update',
            'ReplicationProtectedItems_List',
          ].map(answered),
        ).toEqual([true, true, true, true]);
      },
    );
  })();

  pwshCheck(
    'fails when a modified copy of the runbook breaks the contract: a property in other case, an enum value the service does not know, an api-version the contract lacks are each refused by the fake, the violation named in the summary',
    async (pwsh) => {
      const source = readFileSync(RUNBOOK, 'utf8');
      const body =
        "[ordered]@{ instanceType = 'A2A'; agentAutoUpdateStatus = $Ctx.Action; automationAccountAuthenticationType = 'SystemAssignedIdentity' }";
      const mutations = [
        {
          name: 'agentAutoUpdateStatus spelled AgentAutoUpdateStatus',
          from: body,
          to: body.replace('agentAutoUpdateStatus', 'AgentAutoUpdateStatus'),
          named: /unknown property 'AgentAutoUpdateStatus' \(the schema spells it 'agentAutoUpdateStatus'/,
          code: 'InvalidRequestContent',
        },
        {
          name: "automationAccountAuthenticationType 'ManagedIdentity'",
          from: body,
          to: body.replace("'SystemAssignedIdentity'", "'ManagedIdentity'"),
          named: /'ManagedIdentity' is not one of RunAsAccount, SystemAssignedIdentity/,
          code: 'InvalidRequestContent',
        },
        {
          name: 'api-version 2099-01-01',
          from: "[string] $ApiVersion = '2026-05-01'",
          to: "[string] $ApiVersion = '2099-01-01'",
          named: /api-version '2099-01-01' is not in the contract/,
          code: 'NoRegisteredProviderFound',
        },
      ];
      const dir = mkdtempSync(join(tmpdir(), 'runbook-contract-'));
      try {
        // One copy after another: each is a pwsh of its own, and the other scenarios need the second slot.
        for (const [i, m] of mutations.entries()) {
          await (async () => {
            // Exactly one place changes: if the runbook is rewritten, this test must be too.
            expect(source.split(m.from)).toHaveLength(2);
            const copy = join(dir, `Set-AsrMobilityAutoUpdate-${i}.ps1`);
            writeFileSync(copy, source.replace(m.from, m.to));
            const arm = await new FakeArm({ vaultId: VAULT_ID, mappings: [mapping('m0')] }).start();
            arm.contract.scenario = `modified copy of the runbook: ${m.name}`;
            try {
              const { runs } = await runRunbookProcess(pwsh, [job(arm)], arm.identityEnv, copy);
              const s = runs[0]!.summary;
              expect(s.outcome).toBe('Failed');
              expect(runs[0]!.threw).toBe(true);
              expect(JSON.stringify(s)).toMatch(m.named);
              expect(JSON.stringify(s)).toContain(m.code);
              expect(arm.contract.violations).toEqual([expect.stringMatching(m.named)]);
              expect(arm.writes().filter((w) => w.status === 202)).toEqual([]);
            } finally {
              await arm.close();
            }
          })();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    // Three cold pwsh starts, one after another.
    { concurrent: true, timeout: 180_000 },
  );
});
