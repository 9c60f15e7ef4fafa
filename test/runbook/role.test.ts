import {
  ACCOUNT_ID,
  FakeArm,
  mapping,
  protectedItem,
  RUNBOOK_PRINCIPAL_ID,
  SUBSCRIPTION,
  VAULT_ID,
  type FakeArmOptions,
  type JsonObject,
  type Mapping,
  type PatchPlan,
} from './fake-arm';
import { FakeIngestion } from './fake-ingestion';
import { closeWorkers, runRunbook, type FleetSummary, type JobParameters, type RunResult } from './harness';
import { expectOutputContract } from './output-contract';
import { locatePwsh, type Pwsh } from './pwsh';
import { actionFor, RUNBOOK_ROLE_ACTIONS, type RolePermissions } from './rbac';

/**
 * Issue 30: the fake ARM enforces the custom role the library deploys at a discovery scope
 * (`RUNBOOK_ROLE_ACTIONS`; every other runbook suite runs under it too, as the fake's default), so
 * a request the role does not allow is answered 403 `AuthorizationFailed` as ARM answers it. Here:
 * one fleet scenario that sends every kind of request the runbook makes passes under the role with
 * every ARM request authorized; the same scenario fails when any one action is taken out of the
 * role; a wildcard role passes and a `notActions` subtraction of the mapping write fails. Real pwsh,
 * as in the other suites (skipped locally without it; execution.test.ts fails under CI=true).
 */
const lookup = locatePwsh();
let pwsh: Pwsh;
if (lookup.found) pwsh = lookup.pwsh;

const RULE_ID = 'dcr-0123456789abcdef0123456789abcdef';
const VAULT_B = VAULT_ID.replace(/vault-a$/, 'vault-b');
const VAULT_READ = 'Microsoft.RecoveryServices/vaults/read';
const MAPPING_WRITE =
  'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectionContainerMappings/write';

/** How each mapping's PATCH resolves: both operation headers, Location only, none (verified by a GET), sync. */
const PLANS: Readonly<Record<string, PatchPlan>> = {
  both: { mode: 'async', via: 'both', polls: 1, status: 'Succeeded' },
  location: { mode: 'async', via: 'location', polls: 1, status: 'Succeeded' },
  none: { mode: 'async', via: 'none', polls: 0, status: 'Succeeded' },
  sync: { mode: 'sync' },
};
const agent = (name: string, vault: string): JsonObject =>
  protectedItem(
    name,
    {
      provider: 'A2A',
      agentVersion: '9.62.1.1',
      agentExpiryDate: '2027-06-01T00:00:00Z',
      isReplicationAgentUpdateRequired: false,
      isReplicationAgentCertificateUpdateRequired: false,
    },
    vault,
  );
const compliant = (m: Mapping): boolean =>
  m.properties.providerSpecificDetails?.agentAutoUpdateStatus === 'Enabled';

/**
 * The fleet: vault-a listed, vault-b found by Resource Graph in the subscription; mappings needing
 * an update under each polling form (202 with both headers, Location only, no header, 200), one
 * already compliant; protected items for the agent report; rows sent to a fake ingestion endpoint.
 */
function fleetOptions(role?: RolePermissions): FakeArmOptions {
  const mappings = [
    mapping('both', {}, VAULT_ID),
    mapping('location', {}, VAULT_ID),
    mapping('ok', { status: 'Enabled', account: ACCOUNT_ID, auth: 'SystemAssignedIdentity' }, VAULT_ID),
    mapping('none', {}, VAULT_B),
    mapping('sync', {}, VAULT_B),
  ];
  return {
    vaultId: VAULT_ID,
    otherVaults: [VAULT_B],
    mappings,
    protectedItems: [agent('vm-1', VAULT_ID), agent('vm-2', VAULT_B)],
    patchPlan: (m) => PLANS[m.name] ?? PLANS.both!,
    resourceGraph: { vaults: [{ id: VAULT_B, tags: {} }] },
    ...(role ? { role } : {}),
  };
}

interface Outcome {
  readonly arm: FakeArm;
  readonly run: RunResult;
  readonly fleet: FleetSummary;
  readonly ingestion: { state: string; rowsSent: number };
}

/** Runs the fleet job under `role` (the fake's default when undefined) with ingestion configured. */
async function runFleet(role?: RolePermissions, scenario = 'role'): Promise<Outcome> {
  const arm = await new FakeArm(fleetOptions(role)).start();
  const sink = await new FakeIngestion({
    ruleId: RULE_ID,
    tokenAudience: (t) => arm.tokenAudience.get(t),
  }).start();
  arm.contract.scenario = scenario;
  sink.contract.scenario = scenario;
  try {
    const params: JobParameters = {
      vaultresourceids: VAULT_ID,
      discoverysubscriptionids: SUBSCRIPTION,
      autoupdateaction: 'Enabled',
      automationaccountarmid: ACCOUNT_ID,
      providers: 'A2A',
      armendpoint: arm.armEndpoint,
      timeoutseconds: '60',
      reporttimeutc: '2026-11-30T00:00:00Z',
      ingestionendpoint: sink.endpoint,
      ingestionruleid: RULE_ID,
    };
    const result = await runRunbook(pwsh, [params], arm.identityEnv);
    expectOutputContract(arm, result);
    expect(sink.violations).toEqual([]);
    const run = result.runs[0]!;
    const fleet = run.summary as unknown as FleetSummary;
    const ingestion = (run.summary as unknown as { ingestion: { state: string; rowsSent: number } })
      .ingestion;
    return { arm, run, fleet, ingestion };
  } finally {
    await Promise.all([arm.close(), sink.close()]);
  }
}

const describeRuns = lookup.found ? describe : describe.skip;

describeRuns('the fake ARM enforces the deployed custom role (real pwsh)', () => {
  afterAll(() => closeWorkers());

  it.concurrent(
    'a fleet with discovery, every polling form, the agent report and ingestion succeeds under RUNBOOK_ROLE_ACTIONS, every ARM request authorized',
    async () => {
      const { arm, fleet, ingestion } = await runFleet(undefined, 'default role');
      expect(arm.role.actions).toEqual(RUNBOOK_ROLE_ACTIONS);
      expect(fleet.outcome).toBe('Succeeded');
      expect(fleet.sections.map((s) => s.vault.split('/').pop())).toEqual(['vault-a', 'vault-b']);
      for (const m of arm.options.mappings) expect(compliant(arm.mapping(m.id))).toBe(true);
      for (const s of fleet.sections) expect(s.agents?.state).toBe('Complete');
      expect(ingestion.state).toBe('Sent');
      expect(ingestion.rowsSent).toBeGreaterThan(0);
      // Zero 403s, and every ARM request the fake served went through the role.
      expect(arm.forbidden()).toEqual([]);
      expect(arm.authorizations).toHaveLength(arm.arm().length);
      // The scenario sends a request needing each of the role's actions (vaults/read: the graph rows).
      const used = new Set(arm.authorizations.map((a) => a.action?.toLowerCase()));
      for (const action of RUNBOOK_ROLE_ACTIONS.filter((a) => a !== VAULT_READ))
        expect([action, used.has(action.toLowerCase())]).toEqual([action, true]);
      expect(arm.graphQueries.length).toBeGreaterThan(0);
    },
    300_000,
  );

  it.concurrent.each(RUNBOOK_ROLE_ACTIONS.map((a) => [a.replace('Microsoft.RecoveryServices/', ''), a]))(
    'fails when the role lacks %s',
    async (_short, removed) => {
      const role = { actions: RUNBOOK_ROLE_ACTIONS.filter((a) => a !== removed) };
      const { arm, fleet } = await runFleet(role, `without ${removed}`);
      if (removed === VAULT_READ) {
        // Resource Graph returns no vault the caller cannot read, without an error (as ARM does): the
        // job succeeds for what it found, but vault-b is never found nor reconciled.
        expect(arm.forbidden()).toEqual([]);
        expect((fleet as unknown as { discovery: { found: number } }).discovery.found).toBe(0);
        expect(fleet.sections.map((s) => s.vault.split('/').pop())).toEqual(['vault-a']);
        expect(
          arm.options.mappings
            .filter((m) => m.id.startsWith(VAULT_B))
            .every((m) => !compliant(arm.mapping(m.id))),
        ).toBe(true);
      } else {
        expect(fleet.outcome).not.toBe('Succeeded');
        const refused = arm.forbidden();
        expect(refused.length).toBeGreaterThan(0);
        expect(refused.every((a) => a.action?.toLowerCase() === removed.toLowerCase())).toBe(true);
        expect(refused.every((a) => actionFor(a.method, a.path) === a.action)).toBe(true);
      }
    },
    300_000,
  );

  it.concurrent(
    'a role granting Microsoft.RecoveryServices/vaults/* succeeds (wildcards match as ARM matches them)',
    async () => {
      const { arm, fleet } = await runFleet({ actions: ['Microsoft.RecoveryServices/vaults/*'] }, 'wildcard');
      expect(fleet.outcome).toBe('Succeeded');
      expect(arm.forbidden()).toEqual([]);
      expect(fleet.sections).toHaveLength(2);
    },
    300_000,
  );

  it.concurrent(
    'fails when notActions subtracts the mapping write from a wildcard role: every PATCH is 403 AuthorizationFailed',
    async () => {
      const { arm, fleet, run } = await runFleet(
        { actions: ['Microsoft.RecoveryServices/vaults/*'], notActions: [MAPPING_WRITE] },
        'notActions',
      );
      expect(fleet.outcome).not.toBe('Succeeded');
      const refused = arm.forbidden();
      expect(refused.map((a) => a.method)).toEqual(refused.map(() => 'PATCH'));
      expect(refused.length).toBe(4);
      for (const m of arm.options.mappings.filter((x) => x.name !== 'ok'))
        expect(compliant(arm.mapping(m.id))).toBe(false);
      // The runbook reports ARM's code for each mapping it could not change.
      const items = fleet.sections.flatMap((s) => s.mappings).filter((i) => i.result === 'Failed');
      expect(items).toHaveLength(4);
      for (const i of items) {
        expect(i.errorCode).toBe('AuthorizationFailed');
        // ARM's message names the client and the action over the mapping's scope.
        expect(i.errorMessage).toContain(`The client '${RUNBOOK_PRINCIPAL_ID}'`);
        expect(i.errorMessage).toContain(`perform action '${MAPPING_WRITE}' over scope '${i.id}'`);
      }
      expect(run.output.join('\n')).not.toContain('fake-arm-token-');
    },
    300_000,
  );
});

describe('the fake ARM authorizes before it routes (no pwsh)', () => {
  async function token(arm: FakeArm): Promise<string> {
    const url = `${arm.identityEndpoint}?api-version=2019-08-01&resource=${encodeURIComponent('https://management.azure.com/')}`;
    const res = await fetch(url, {
      headers: { 'X-IDENTITY-HEADER': arm.identityEnv.IDENTITY_HEADER!, Metadata: 'true' },
    });
    return ((await res.json()) as { access_token: string }).access_token;
  }

  it('answers 403 AuthorizationFailed in ARM shape to a mapping read the role lacks, and records it', async () => {
    const target = mapping('m1');
    const arm = await new FakeArm({
      vaultId: VAULT_ID,
      mappings: [target],
      role: { actions: ['Microsoft.RecoveryServices/vaults/replicationProtectionContainerMappings/read'] },
    }).start();
    try {
      const bearer = await token(arm);
      const get = (path: string) =>
        fetch(`${arm.armEndpoint}${path}?api-version=2026-05-01`, {
          headers: { Authorization: `Bearer ${bearer}` },
        });
      const listed = await get(`${VAULT_ID}/replicationProtectionContainerMappings`);
      expect(listed.status).toBe(200);
      const one = await get(target.id);
      expect(one.status).toBe(403);
      const body = (await one.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('AuthorizationFailed');
      expect(body.error.message).toContain(
        `perform action '${actionFor('GET', target.id)!}' over scope '${target.id}'`,
      );
      expect(arm.forbidden().map((a) => a.path)).toEqual([target.id]);
      expect(arm.authorizations.map((a) => a.allowed)).toEqual([true, false]);
    } finally {
      await arm.close();
    }
  });

  it('fails when a request has no contract nor ARM action: 400 and a violation, not a silent pass', async () => {
    const arm = await new FakeArm({ vaultId: VAULT_ID, mappings: [] }).start();
    try {
      const bearer = await token(arm);
      const res = await fetch(`${arm.armEndpoint}/subscriptions/${SUBSCRIPTION}?api-version=2022-12-01`, {
        headers: { Authorization: `Bearer ${bearer}` },
      });
      expect(res.status).toBe(400);
      // The contract refuses it before the role is asked (a path without a contract); a path with a
      // contract but no action would be the role's violation instead. Never authorized silently.
      expect(arm.violations.some((v) => v.includes(`GET /subscriptions/${SUBSCRIPTION}:`))).toBe(true);
      expect(arm.authorizations).toEqual([]);
    } finally {
      await arm.close();
    }
  });
});
