import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing, TerraformStack } from 'cdktf';
import { parseVaultResourceId, resolveExistingVaultsScenario } from '../../constructs/domain/internal';
import * as tf from '../../constructs/cdktf';
import { fixedClock, violationsOf } from '../fixtures';

/**
 * One rule for a vault id: the shared table (test/fixtures/vault-id-cases.json) that the runbook
 * suite runs through the real runbook too (test/runbook/vault-ids.test.ts).
 */
interface VaultIdCase {
  readonly name: string;
  readonly id: string;
}
const table = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'vault-id-cases.json'), 'utf8')) as {
  notes: string[];
  good: VaultIdCase[];
  bad: VaultIdCase[];
};

const automation = {
  name: 'aa-fleet-updates',
  resourceGroupName: 'rg-automation',
  location: 'westeurope',
  clock: fixedClock,
};
const scenario = (id: string) =>
  resolveExistingVaultsScenario({ vaults: [{ vaultResourceId: id, timeZone: 'Etc/UTC' }], automation });

describe('one rule for a vault id (the shared table)', () => {
  it('has the cases the issue names, on the side both suites agree on', () => {
    const bad = table.bad.map((c) => c.name).join('\n');
    for (const word of [
      'trailing space',
      'trailing newline',
      'query',
      'lone ?',
      'fragment',
      'dot segment',
      'another type',
      'extra segments',
      'not a GUID',
    ])
      expect(bad).toContain(word);
    expect(table.good.map((c) => c.name).join('\n')).toContain('type in another casing');
    expect(new Set([...table.good, ...table.bad].map((c) => c.id)).size).toBe(
      table.good.length + table.bad.length,
    );
  });

  it.each(table.good.map((c) => [c.name, c.id]))('accepts %s', (_, id) => {
    expect(parseVaultResourceId(id)).toBeDefined();
    const spec = scenario(id);
    expect(spec.automation.roleAssignments[0]!.scope).toMatchObject({ resourceId: id.replace(/\/$/, '') });
  });

  it.each(table.bad.map((c) => [c.name, c.id]))('fails when the id is refused: %s', (_, id) => {
    expect(parseVaultResourceId(id)).toBeUndefined();
    expect(violationsOf(() => scenario(id))).toEqual([
      expect.objectContaining({
        prop: 'vaults[0].vaultResourceId',
        value: id,
        rule: expect.stringContaining(
          id === '' ? 'is required' : 'must be a Microsoft.RecoveryServices/vaults resource id',
        ),
      }),
    ]);
  });

  it('fails when the id has a trailing space, at synthesis, naming the prop, the value and the rule (cdktf)', () => {
    const id = table.bad.find((c) => c.name === 'a trailing space')!.id;
    const stack = new TerraformStack(Testing.app(), 'fleet');
    expect(
      () =>
        new tf.ExistingVaultsMobilityAutoUpdate(stack, 'Fleet', {
          vaults: [{ vaultResourceId: id, sourceRegion: 'westeurope' }],
          automation,
        }),
    ).toThrow(
      `Existing vaults scenario: 1 invalid prop:\n  - vaults[0].vaultResourceId: received ${JSON.stringify(id)}; must be a Microsoft.RecoveryServices/vaults resource id`,
    );
    expect(stack.node.children).toEqual([]);
  });
});
