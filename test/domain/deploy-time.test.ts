import { ValidationError } from '../../constructs/domain';
import {
  resolveA2AScenario,
  RuleSet,
  type A2AScenarioProps,
  type DeployTimeValues,
} from '../../constructs/domain/internal';
import { a2aProps, violationsOf } from '../fixtures';

/** An engine whose references are instances of this class (what the adapters' predicates stand for). */
class Ref {
  constructor(readonly text: string) {}
  toJSON(): string {
    return `TOKEN(${this.text})`;
  }
}
const engine: DeployTimeValues = { isDeployTime: (v) => v instanceof Ref };

describe('deploy-time values in the domain', () => {
  it('carries a reference through untouched and skips its value checks', () => {
    const rg = new Ref('rg.name');
    const law = new Ref('law.id');
    const props: A2AScenarioProps<Ref> = {
      ...a2aProps(),
      vault: {
        name: 'rsv-dr-weu',
        resourceGroupName: rg,
        location: 'westeurope',
        diagnosticSettings: [{ workspaceResourceId: law }],
      },
    };
    const spec = resolveA2AScenario<Ref>(props, engine);
    expect(spec.vault.resourceGroupName).toBe(rg);
    expect(spec.automation!.resourceGroupName).toBe(rg);
    expect(spec.vault.diagnosticSettings[0]!.workspaceResourceId).toBe(law);
  });

  it('fails when a reference stands where a literal is needed, without its text', () => {
    const error = () =>
      resolveA2AScenario<Ref>(
        a2aProps({
          vault: { name: new Ref('n') as never, resourceGroupName: 'rg', location: 'westeurope' },
          replication: { sourceRegion: 'northeurope', targetRegion: 'westeurope' },
        }) as never,
        engine,
      );
    expect(violationsOf(error)).toEqual([
      {
        prop: 'vault.name',
        value: expect.anything(),
        rule: expect.stringMatching(
          /^must be a literal known at synthesis, not a reference: other names derive/,
        ),
      },
    ]);
    expect(error).toThrow(/vault\.name: received a reference \(known only at deploy\)/);
    expect(error).not.toThrow(/TOKEN/);
  });

  it('never shows a reference nested in a reported value', () => {
    const rules = RuleSet.for('X', engine);
    rules.check(false, 'list', ['a', new Ref('x'), { id: new Ref('y') }], 'must be something else');
    expect(() => rules.throwIfAny('X')).toThrow(ValidationError);
    try {
      rules.throwIfAny('X');
    } catch (e) {
      expect((e as Error).message).not.toContain('TOKEN');
      expect((e as Error).message).toContain('<reference known only at deploy>');
    }
  });

  it('checks a reference once known where the engine can, with the rule a literal gets', () => {
    let later: ((known: unknown) => void) | undefined;
    const deferring: DeployTimeValues = {
      isDeployTime: engine.isDeployTime,
      whenKnown: (value, check) => {
        later = check;
        return value;
      },
    };
    const rules = RuleSet.for('RecoveryVault', deferring);
    const carried = rules.ref('resourceGroupName', new Ref('rg'), (r, prop, v) =>
      r.check(v === 'ok', prop, v, 'must be ok'),
    );
    expect(carried).toBeInstanceOf(Ref);
    expect(rules.violations).toEqual([]);
    expect(() => later!('ok')).not.toThrow();
    expect(() => later!('bad')).toThrow(
      'RecoveryVault: 1 invalid prop:\n  - resourceGroupName: received "bad"; must be ok',
    );
  });
});
