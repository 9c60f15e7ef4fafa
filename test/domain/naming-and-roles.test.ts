import {
  AUTOMATION_ACCOUNT_NAME,
  deriveName,
  parseResourceId,
  roleDefinitionGuid,
  uuidV5,
  VAULT_NAME,
} from '../../constructs/domain/internal';

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
