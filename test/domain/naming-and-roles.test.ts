import {
  AUTOMATION_ACCOUNT_NAME,
  BUILT_IN_ROLES,
  deriveName,
  KNOWN_ROLES,
  knownRoleByGuid,
  parseResourceId,
  planExistingVaults,
  PRIVILEGED_ROLE_IDS,
  resolveA2AScenario,
  resolveExistingVaultsScenario,
  roleDefinitionGuid,
  RUNBOOK_ROLE_ACTIONS,
  uuidV5,
  VAULT_NAME,
} from '../../constructs/domain/internal';
import { a2aProps, fixedClock, SUB, violationsOf } from '../fixtures';

describe('uuidV5', () => {
  it('matches the RFC 4122 reference value', () => {
    // uuid5(NAMESPACE_DNS, "www.example.com")
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('is stable and separates different inputs', () => {
    expect(uuidV5('a')).toBe(uuidV5('a'));
    expect(uuidV5('a')).not.toBe(uuidV5('b'));
    expect(uuidV5('a')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('parseResourceId', () => {
  const sub = '/subscriptions/00000000-0000-0000-0000-000000000001';
  it('reads subscriptions, resource groups and nested resources', () => {
    expect(parseResourceId(sub)).toEqual({
      subscriptionId: '00000000-0000-0000-0000-000000000001',
      resourceGroupName: undefined,
    });
    expect(parseResourceId(`${sub}/resourceGroups/rg`)).toEqual({
      subscriptionId: '00000000-0000-0000-0000-000000000001',
      resourceGroupName: 'rg',
    });
    expect(
      parseResourceId(
        `${sub}/resourceGroups/rg/providers/Microsoft.EventHub/namespaces/ns/authorizationRules/r`,
      ),
    ).toEqual({
      subscriptionId: '00000000-0000-0000-0000-000000000001',
      resourceGroupName: 'rg',
      type: 'Microsoft.EventHub/namespaces/authorizationRules',
      name: 'r',
    });
  });

  it.each([
    '',
    'subscriptions/x',
    '/subscriptions/not-a-guid',
    `${sub}/resourceGroups`,
    `${sub}/resourceGroups/rg/providers/Microsoft.X`,
  ])('refuses %j', (id) => {
    expect(parseResourceId(id)).toBeUndefined();
  });
});

describe('names', () => {
  it.each([
    ['ab', true],
    ['a', false],
    ['1ab', false],
    ['a'.repeat(50), true],
    ['a'.repeat(51), false],
    ['rsv-dr', true],
    ['rsv_dr', false],
  ])('vault name %j valid: %s', (n, ok) => {
    expect(VAULT_NAME.test(n as string)).toBe(ok);
  });

  it.each([
    ['abcdef', true],
    ['abcde', false],
    ['abcde-', false],
    ['1abcde', false],
    ['a'.repeat(50), true],
    ['a'.repeat(51), false],
  ])('automation account name %j valid: %s', (n, ok) => {
    expect(AUTOMATION_ACCOUNT_NAME.test(n as string)).toBe(ok);
  });

  it('derives names that keep within length and end with a letter or digit', () => {
    const long = deriveName(`v${'x'.repeat(48)}-`, '-asr-updates', 50);
    expect(long.length).toBeLessThanOrEqual(50);
    expect(AUTOMATION_ACCOUNT_NAME.test(long)).toBe(true);
    expect(deriveName('ab', '-asr-updates', 50)).toBe('ab-asr-updates');
  });
});

describe('roles', () => {
  it('knows Contributor and Site Recovery Contributor by name, and takes GUIDs', () => {
    expect(roleDefinitionGuid('Contributor')).toBe('b24988ac-6180-42a0-ab88-20f7382dd24c');
    expect(roleDefinitionGuid('Site Recovery Contributor')).toBe('6670b86e-a3f7-4917-ac9b-5d6ab1be4567');
    expect(roleDefinitionGuid('6670B86E-A3F7-4917-AC9B-5D6AB1BE4567')).toBe(
      '6670b86e-a3f7-4917-ac9b-5d6ab1be4567',
    );
    expect(roleDefinitionGuid('Reader-ish')).toBeUndefined();
    expect(roleDefinitionGuid('toString')).toBeUndefined();
  });
});

describe('known roles and the custom role', () => {
  const SUB2 = '00000000-0000-0000-0000-000000000002';
  const vault = (sub: string, rg: string, name: string) =>
    `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.RecoveryServices/vaults/${name}`;
  const automation = {
    name: 'aa-fleet-updates',
    resourceGroupName: 'rg-automation',
    location: 'westeurope',
    clock: fixedClock,
  };
  const discovery = {
    subscriptionIds: [SUB, SUB2],
    managementGroupId: 'mg-dr',
    timeZone: 'Europe/Amsterdam',
  };

  it('keeps one table: every built-in name and its GUID, privileged roles derived from it', () => {
    expect(Object.keys(BUILT_IN_ROLES).sort()).toEqual(Object.keys(KNOWN_ROLES).sort());
    for (const [name, role] of Object.entries(KNOWN_ROLES)) {
      expect(roleDefinitionGuid(name)).toBe(role.guid);
      expect(knownRoleByGuid(role.guid.toUpperCase())?.name).toBe(name);
    }
    expect([...PRIVILEGED_ROLE_IDS].sort()).toEqual(
      [
        KNOWN_ROLES.Owner.guid,
        KNOWN_ROLES['User Access Administrator'].guid,
        KNOWN_ROLES['Role Based Access Control Administrator'].guid,
      ].sort(),
    );
  });

  it.each([
    'Site Recovery Operator',
    'Site Recovery Reader',
    'Reader',
    'Backup Contributor',
    'User Access Administrator',
    'Role Based Access Control Administrator',
    KNOWN_ROLES['Site Recovery Operator'].guid.toUpperCase(),
  ])('fails when roleDefinition is %s, which cannot write container mappings', (role) => {
    const violations = violationsOf(() =>
      resolveA2AScenario(a2aProps({ automation: { clock: fixedClock, roleDefinition: role } })),
    );
    expect(violations.map((v) => [v.prop, v.value])).toEqual([['automation.roleDefinition', role]]);
    expect(violations[0]!.rule).toMatch(
      /cannot write replication protection container mappings .* 403 on every PATCH/,
    );
  });

  it('declares the custom role at the discovery scopes by default, with a deterministic id and name', () => {
    const spec = resolveExistingVaultsScenario({ discovery, automation });
    const d = spec.automation.roleDefinition!;
    expect(d).toEqual(resolveExistingVaultsScenario({ discovery, automation }).automation.roleDefinition);
    expect(d.guid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5/);
    expect(d.roleName).toBe(`Site Recovery Mobility auto-update runbook (${d.guid.slice(0, 8)})`);
    expect(d.assignableScopes).toEqual([
      `/subscriptions/${SUB}`,
      `/subscriptions/${SUB2}`,
      '/providers/Microsoft.Management/managementGroups/mg-dr',
    ]);
    expect(d.scope).toBe(`/subscriptions/${SUB}`);
    expect(d.actions).toEqual(RUNBOOK_ROLE_ACTIONS);
    expect(d.notActions).toEqual([]);
    expect(d.actions.every((a) => a.startsWith('Microsoft.RecoveryServices/') && !a.includes('*'))).toBe(
      true,
    );
    const scoped = spec.automation.roleAssignments.filter((ra) => ra.scope.kind === 'discovery');
    expect(scoped.map((ra) => [ra.roleDefinitionGuid, ra.customRole])).toEqual([
      [d.guid, true],
      [d.guid, true],
      [d.guid, true],
    ]);
    // Another account gets another role.
    const other = resolveExistingVaultsScenario({
      discovery,
      automation: { ...automation, name: 'aa-other' },
    });
    expect(other.automation.roleDefinition!.guid).not.toBe(d.guid);
    // The plan declares it, before the assignments.
    const plan = planExistingVaults(spec);
    expect(
      plan.filter((r) => r.type === 'Microsoft.Authorization/roleDefinitions').map((r) => r.name),
    ).toEqual([d.guid]);
  });

  it('keeps Contributor on listed vaults, and gives a role asked for at the discovery scopes (no custom role)', () => {
    const listed = { vaultResourceId: vault(SUB, 'rg-a', 'rsv-a'), timeZone: 'Etc/UTC' };
    const byDefault = resolveExistingVaultsScenario({ vaults: [listed], discovery, automation });
    expect(byDefault.automation.roleAssignments[0]!.roleDefinitionGuid).toBe(KNOWN_ROLES.Contributor.guid);
    const given = resolveExistingVaultsScenario({
      vaults: [listed],
      discovery,
      automation: { ...automation, roleDefinition: 'Contributor' },
    });
    expect(given.automation.roleDefinition).toBeUndefined();
    expect(new Set(given.automation.roleAssignments.map((ra) => ra.roleDefinitionGuid))).toEqual(
      new Set([KNOWN_ROLES.Contributor.guid]),
    );
    // ASR-W01 names the narrower truth for the custom role, the whole role for a role asked for.
    expect(byDefault.warnings.find((w) => w.ruleId === 'ASR-W01')!.message).toContain(
      "the library's custom role",
    );
    expect(given.warnings.find((w) => w.ruleId === 'ASR-W01')!.message).toContain(
      'every action of that role',
    );
  });

  it('warns (ASR-W07) for Site Recovery Contributor: no vault-level list in its published actions', () => {
    const spec = resolveA2AScenario(
      a2aProps({ automation: { clock: fixedClock, roleDefinition: 'Site Recovery Contributor' } }),
    );
    expect(spec.warnings.map((w) => [w.ruleId, w.prop, w.value])).toEqual([
      ['ASR-W07', 'automation.roleDefinition', 'Site Recovery Contributor'],
    ]);
  });

  it('warns (ASR-W08) for an exclusion outside every discovery scope, and can be suppressed', () => {
    const outside = vault(SUB2, 'rg-x', 'rsv-x');
    const inside = vault(SUB, 'rg-y', 'rsv-y');
    const props = {
      discovery: { subscriptionIds: [SUB], timeZone: 'Etc/UTC', excludeVaultResourceIds: [inside, outside] },
      automation,
    };
    const spec = resolveExistingVaultsScenario(props);
    expect(spec.warnings.filter((w) => w.ruleId === 'ASR-W08').map((w) => [w.prop, w.value])).toEqual([
      ['discovery.excludeVaultResourceIds[1]', outside],
    ]);
    // With a management group, the subscriptions under it are unknown at synthesis: no warning.
    const withGroup = resolveExistingVaultsScenario({
      ...props,
      discovery: { ...props.discovery, managementGroupId: 'mg-dr' },
    });
    expect(withGroup.warnings.filter((w) => w.ruleId === 'ASR-W08')).toEqual([]);
    const suppressed = resolveExistingVaultsScenario({
      ...props,
      suppressions: [{ ruleId: 'ASR-W08', reason: 'the vault moves into scope next quarter' }],
    });
    expect(suppressed.warnings.filter((w) => w.ruleId === 'ASR-W08')).toEqual([]);
  });
});
