import { actionFor, allows, authorizationFailed, matches, RUNBOOK_ROLE_ACTIONS } from './rbac';

const VAULT =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-dr/providers/Microsoft.RecoveryServices/vaults/rsv-dr';
const MAPPING = `${VAULT}/replicationFabrics/asr-a2a-default-westeurope/replicationProtectionContainers/asr-a2a-default-westeurope-container/replicationProtectionContainerMappings/mapping-1`;
const RS = 'Microsoft.RecoveryServices/vaults';
const NESTED = `${RS}/replicationFabrics/replicationProtectionContainers/replicationProtectionContainerMappings`;
const custom = { actions: RUNBOOK_ROLE_ACTIONS };

// Every request the runbook sends (notes: the roles research's table, rows 1-7), with its action.
const RUNBOOK_REQUESTS: readonly [string, string, string | undefined][] = [
  [
    'GET',
    `${VAULT}/replicationProtectionContainerMappings`,
    `${RS}/replicationProtectionContainerMappings/read`,
  ],
  ['PATCH', MAPPING, `${NESTED}/write`],
  ['GET', `${VAULT}/replicationOperationStatus/job-1`, `${RS}/replicationOperationStatus/read`],
  ['GET', `${MAPPING}/operationresults/job-1`, `${NESTED}/operationresults/read`],
  ['GET', MAPPING, `${NESTED}/read`],
  ['GET', `${VAULT}/replicationProtectedItems`, `${RS}/replicationProtectedItems/read`],
  ['POST', '/providers/Microsoft.ResourceGraph/resources', undefined],
  ['GET', '/msi/token', undefined],
];

describe('ARM actions of the runbook requests', () => {
  it.each(RUNBOOK_REQUESTS)('%s %s needs %s', (method, path, action) => {
    expect(actionFor(method, path)).toBe(action);
  });

  it('maps the other verbs and actions as ARM names them: PUT write, DELETE delete, POST {name}/action', () => {
    expect(actionFor('PUT', MAPPING)).toBe(`${NESTED}/write`);
    expect(actionFor('delete', `${MAPPING}/`)).toBe(`${NESTED}/delete`);
    expect(actionFor('GET', VAULT)).toBe(`${RS}/read`);
    expect(actionFor('POST', `${MAPPING}/remove`)).toBe(`${NESTED}/remove/action`);
    expect(actionFor('GET', '/subscriptions/00000000-0000-0000-0000-000000000000')).toBeUndefined();
  });

  it('the custom role allows every request the runbook sends, and each of its actions is needed by one', () => {
    const needed = RUNBOOK_REQUESTS.flatMap(([m, p]) => actionFor(m, p) ?? []);
    expect(needed.filter((a) => !allows(custom, a))).toEqual([]);
    // Vault read: Resource Graph returns only the vaults the caller can read (no request of its own).
    const unused = RUNBOOK_ROLE_ACTIONS.filter((a) => !needed.some((n) => matches(a, n)));
    expect(unused).toEqual([`${RS}/read`]);
  });

  it('fails when an action the runbook needs is removed from the role: that request is refused', () => {
    const without = { actions: RUNBOOK_ROLE_ACTIONS.filter((a) => a !== `${NESTED}/write`) };
    expect(allows(without, actionFor('PATCH', MAPPING)!)).toBe(false);
    expect(allows(without, actionFor('GET', MAPPING)!)).toBe(true);
  });

  it('refuses what the custom role does not grant: delete, remove, failover, another provider', () => {
    for (const action of [
      `${NESTED}/delete`,
      `${NESTED}/remove/action`,
      `${RS}/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/plannedFailover/action`,
      'Microsoft.KeyVault/vaults/read',
    ])
      expect(allows(custom, action)).toBe(false);
  });
});

describe('ARM action matching', () => {
  it('compares case-insensitively', () => {
    expect(allows({ actions: ['microsoft.recoveryservices/VAULTS/read'] }, `${RS}/read`)).toBe(true);
  });

  it('lets * span segments (a type and its child types), anywhere in the string', () => {
    expect(allows({ actions: ['*'] }, `${NESTED}/write`)).toBe(true);
    expect(allows({ actions: [`${RS}/replicationFabrics/*`] }, `${NESTED}/write`)).toBe(true);
    expect(allows({ actions: ['*/read'] }, `${NESTED}/read`)).toBe(true);
    expect(allows({ actions: ['*/read'] }, `${NESTED}/write`)).toBe(false);
    expect(allows({ actions: [`${RS}/backup*`] }, `${RS}/replicationProtectedItems/read`)).toBe(false);
  });

  it('treats the other characters literally', () => {
    expect(matches('Microsoft.RecoveryServices/vaults/read', 'MicrosoftXRecoveryServices/vaults/read')).toBe(
      false,
    );
    expect(matches('Microsoft.RecoveryServices/vaults/read', 'Microsoft.RecoveryServices/vaults/readX')).toBe(
      false,
    );
  });

  it('subtracts notActions (Contributor: everything but Microsoft.Authorization writes and deletes)', () => {
    const contributor = {
      actions: ['*'],
      notActions: ['Microsoft.Authorization/*/Delete', 'Microsoft.Authorization/*/Write'],
    };
    expect(allows(contributor, `${NESTED}/write`)).toBe(true);
    expect(allows(contributor, 'Microsoft.Authorization/roleAssignments/write')).toBe(false);
    expect(allows(contributor, 'Microsoft.Authorization/roleAssignments/read')).toBe(true);
  });

  it('answers a refusal as ARM does: 403 AuthorizationFailed naming the action and scope', () => {
    const reply = authorizationFailed('11111111-1111-1111-1111-111111111111', `${NESTED}/write`, MAPPING);
    expect(reply.status).toBe(403);
    expect(reply.body.error.code).toBe('AuthorizationFailed');
    expect(reply.body.error.message).toContain(`perform action '${NESTED}/write' over scope '${MAPPING}'`);
  });
});
