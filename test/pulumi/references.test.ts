import { Workspace } from '@pulumi/azure-native/operationalinsights/workspace';
import { ResourceGroup } from '@pulumi/azure-native/resources/resourceGroup';
import * as pulumi from '@pulumi/pulumi';
import { ValidationError } from '../../constructs/domain';
import { resolveAlone, resolveRecoveryVault, type DeployTimeValues } from '../../constructs/domain/internal';
import {
  A2AMobilityAutoUpdate,
  A2AReplication,
  AutoUpdateAutomation,
  RecoveryVault,
} from '../../constructs/pulumi';
import { PULUMI_DEPLOY_TIME } from '../../constructs/pulumi/shared';
import { runOfflineProgram, type GraphNode } from '../../stacks/pulumi/offline';
import { PROJECT_NAME } from '../../stacks/pulumi/project-file';
import { fixedClock, SUB, violationsOf } from '../fixtures';

/** The value an Output settles to, or its error. */
const settled = (o: pulumi.Input<string> | undefined): Promise<unknown> =>
  (pulumi.output(o) as unknown as { promise(): Promise<unknown> }).promise();

const run = (program: () => void) => runOfflineProgram(program, { project: PROJECT_NAME, stack: 'a2a' });

describe('reference-valued props (Pulumi Inputs)', () => {
  let resources: readonly GraphNode[];
  let scenario: A2AMobilityAutoUpdate;
  beforeAll(async () => {
    const p = await run(() => {
      const rg = new ResourceGroup('rg', { resourceGroupName: 'rg-team-dr', location: 'westeurope' });
      const law = new Workspace('law', {
        workspaceName: 'law-team',
        resourceGroupName: rg.name,
        location: rg.location,
      });
      scenario = new A2AMobilityAutoUpdate('dr', {
        vault: {
          name: 'rsv-team-dr',
          resourceGroupName: rg.name,
          location: 'westeurope',
          diagnosticSettings: [{ workspaceResourceId: law.id }],
        },
        replication: { sourceRegion: 'northeurope', targetRegion: 'westeurope' },
        automation: { clock: fixedClock },
      });
    });
    resources = p.resources;
  });

  it('gives the vault and everything placed in the group the resolved group name', () => {
    const vault = resources.find((r) => r.type === 'azure-native:recoveryservices:Vault')!;
    expect(vault.inputs.resourceGroupName).toBe('rg-team-dr');
    const placed = resources.filter(
      (r) => r.type.startsWith('azure-native:') && r.name !== 'rg' && 'resourceGroupName' in r.inputs,
    );
    expect(placed.length).toBeGreaterThan(8);
    for (const r of placed) expect(r.inputs.resourceGroupName).toBe('rg-team-dr');
  });

  it("points the diagnostic setting at the workspace's id", () => {
    const diag = resources.find((r) => r.type === 'azure-native:monitor:DiagnosticSetting')!;
    expect(diag.inputs.workspaceId).toBe(
      `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-team-dr/providers/Microsoft.OperationalInsights/workspaces/law-team`,
    );
    expect(JSON.stringify(resources)).not.toMatch(/TfToken|Calling \[toJSON\]/);
  });

  it('checks a reference once it is known, with the same ValidationError text a literal gets', async () => {
    // PULUMI_DEPLOY_TIME guards the value with `.apply(check)`; the check it is given is captured
    // here and run on the value the Output would settle to. (A failing apply is reported by the
    // Pulumi runtime as the failed preview; under jest it would be an unhandled rejection.)
    const checks: ((known: unknown) => void)[] = [];
    const capturing: DeployTimeValues = {
      isDeployTime: PULUMI_DEPLOY_TIME.isDeployTime,
      whenKnown: (value, check) => {
        checks.push(check);
        return PULUMI_DEPLOY_TIME.whenKnown!(value, () => undefined);
      },
    };
    const resolve = (resourceGroupName: pulumi.Input<string>, deployTime: DeployTimeValues) =>
      resolveAlone(
        'RecoveryVault',
        (rules) =>
          resolveRecoveryVault<pulumi.Input<string>>(rules, {
            name: 'rsv-team',
            resourceGroupName,
            location: 'westeurope',
          }),
        deployTime,
      );
    const literal = violationsOf(() => resolve('bad name.', PULUMI_DEPLOY_TIME));
    const carried = resolve(pulumi.output('bad name.'), capturing).resourceGroupName;
    expect(checks).toHaveLength(1);
    const deferred = violationsOf(() => checks[0]!('bad name.'));
    expect(deferred).toEqual(literal);
    expect(() => checks[0]!('bad name.')).toThrow(
      'RecoveryVault: 1 invalid prop:\n  - resourceGroupName: received "bad name."; a resource group name has 1-90 characters: letters, digits, _ - . ( ), not ending with a period',
    );
    expect(() => checks[0]!('rg-ok')).not.toThrow();
    await expect(settled(carried)).resolves.toBe('bad name.');
    // With Pulumi's own predicate, a good reference settles to its value through the guard.
    await expect(
      settled(resolve(pulumi.output('rg-ok'), PULUMI_DEPLOY_TIME).resourceGroupName),
    ).resolves.toBe('rg-ok');
    expect(scenario).toBeDefined();
  });

  it('fails when a bad literal sits next to a reference, naming the prop, without Output text', () => {
    const error = () =>
      new A2AMobilityAutoUpdate('bad', {
        vault: {
          name: 'rsv-team-dr',
          resourceGroupName: pulumi.output('rg-team'),
          location: 'westeurope',
          diagnosticSettings: [
            {
              workspaceResourceId: pulumi.output(
                `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law`,
              ),
              storageAccountResourceId: 'nope',
            },
          ],
        },
        replication: { sourceRegion: 'northeurope', targetRegion: 'westeurope' },
        automation: { clock: fixedClock },
      });
    expect(violationsOf(error).map((v) => v.prop)).toEqual([
      'vault.diagnosticSettings[0].storageAccountResourceId',
    ]);
    expect(error).not.toThrow(/Calling \[toJSON\]/);
  });

  it('fails when a reference is given where a literal is required, naming the prop and the reason', () => {
    // No vault is registered: the stand-in keeps this test free of resource registrations.
    const error = () =>
      new AutoUpdateAutomation('aa', {
        vault: undefined as unknown as RecoveryVault,
        sourceRegion: pulumi.output('northeurope') as unknown as string,
        name: pulumi.output('aa-team') as unknown as string,
        resourceGroupName: pulumi.output('rg-team'),
        clock: fixedClock,
      });
    expect(violationsOf(error).map((v) => v.prop)).toEqual(['vault', 'name', 'sourceRegion']);
    expect(error).toThrow(
      /sourceRegion: received a reference \(known only at deploy\); must be a literal known at synthesis, not a reference: regions choose/,
    );
    expect(error).not.toThrow(/Calling \[toJSON\]/);
  });

  it('accepts Inputs for networks in a building block: only the missing automation is reported', async () => {
    const p = await run(() => {
      const vault = new RecoveryVault('v3', {
        name: 'rsv-team',
        resourceGroupName: pulumi.output('rg-team'),
        location: 'swedencentral',
      });
      new A2AReplication('dr3', {
        vault,
        sourceRegion: 'germanywestcentral',
        targetRegion: 'swedencentral',
        sourceNetworkResourceId: pulumi.output(
          `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-src`,
        ),
        targetNetworkResourceId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-dst`,
      } as ConstructorParameters<typeof A2AReplication>[1]);
    }).catch((e: unknown) => e);
    // Auto-update is on and no automation was given: the one error names it, nothing else.
    expect(p).toBeInstanceOf(ValidationError);
    expect((p as ValidationError).violations.map((v) => v.prop)).toEqual(['automation']);
  });
});
