import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  planScenario,
  resolveA2AScenario,
  resolveVmwareScenario,
  type A2AScenarioProps,
  type PlannedResource,
  type VmwareScenarioProps,
} from '../../constructs/domain';
import { A2AMobilityAutoUpdate, ENGINE_DIFFERENCES, VmwareMobilityAutoUpdate } from '../../constructs/pulumi';
import { buildApp } from '../../stacks/cdktf/main';
import { A2AStack, VmwareStack } from '../../stacks/cdktf/stacks';
import { readStackFile, runOffline, runOfflineProgram } from '../../stacks/pulumi/offline';
import { PROJECT_NAME } from '../../stacks/pulumi/project-file';
import { synth, testApp } from '../cdktf/helpers';
import { a2aProps, fixedClock, NOW, SUB, vmwareProps, vnet } from '../fixtures';
import { normalizeCdktf, normalizePulumi, sortPlan } from './normalize';

/** The plan as Pulumi should match it: listed property differences removed. */
function withoutDifferences(plan: readonly PlannedResource[], engine: 'pulumi' | 'cdktf'): PlannedResource[] {
  return plan.map((p) => {
    const props = { ...p.properties };
    for (const d of ENGINE_DIFFERENCES)
      if (d.engine === engine && d.kind === 'property' && d.armType === p.type) delete props[d.property!];
    return { ...p, properties: props };
  });
}

/** Pulumi's resources, with the listed engine-only resource types split off. */
function splitDifferences(resources: PlannedResource[]): { compared: PlannedResource[]; extra: string[] } {
  const only = new Set(
    ENGINE_DIFFERENCES.filter((d) => d.engine === 'pulumi' && d.kind === 'resource').map((d) => d.armType),
  );
  return {
    compared: resources.filter((r) => !only.has(r.type)),
    extra: resources
      .filter((r) => only.has(r.type))
      .map((r) => r.type)
      .sort(),
  };
}

const HOSTING = [
  'Microsoft.Storage/storageAccounts',
  'Microsoft.Storage/storageAccounts/blobServices/containers',
  'Microsoft.Storage/storageAccounts/blobServices/containers/blobs',
];
const law = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law`;

const a2aCases: [string, A2AScenarioProps][] = [
  ['defaults', a2aProps()],
  [
    'everything on',
    a2aProps({
      vault: {
        ...a2aProps().vault,
        lock: { kind: 'CanNotDelete' },
        diagnosticSettings: [{ workspaceResourceId: law }],
      },
      replication: {
        sourceRegion: 'northeurope',
        targetRegion: 'westeurope',
        sourceNetworkResourceId: vnet('a', 'vnet-a'),
        targetNetworkResourceId: vnet('b', 'vnet-b'),
        recoveryPointRetentionInMinutes: 2880,
      },
      automation: {
        clock: fixedClock,
        roleDefinition: 'Site Recovery Contributor',
        additionalRoleScopes: [`/subscriptions/${SUB}/resourceGroups/rg-dr-weu`],
        diagnosticSettings: [{ workspaceResourceId: law }],
      },
      suppressions: [{ ruleId: 'ASR-W01', reason: 'the DR team owns this resource group' }],
    }),
  ],
  [
    'auto-update off',
    a2aProps({ vault: { ...a2aProps().vault, extensionUpdateSettings: { autoUpdateEnabled: false } } }),
  ],
  [
    'user-hosted runbook',
    a2aProps({
      automation: {
        clock: fixedClock,
        runbookContentLink: { uri: 'https://example.org/r.ps1', sha256: 'AB'.repeat(32) },
      },
    }),
  ],
  [
    'failed-job alert routed to action groups',
    a2aProps({
      automation: {
        clock: fixedClock,
        alerts: {
          actionGroupIds: [
            `/subscriptions/${SUB}/resourceGroups/rg-ops/providers/Microsoft.Insights/actionGroups/ag-ops`,
            `/subscriptions/${SUB}/resourceGroups/rg-ops/providers/microsoft.insights/actionGroups/ag-oncall`,
          ],
          severity: 2,
          evaluationFrequency: 'PT15M',
          windowSize: 'PT1H',
          autoMitigationEnabled: true,
        },
      },
    }),
  ],
  [
    'failed-job alert off',
    a2aProps({ automation: { clock: fixedClock, alerts: { failedJobAlertEnabled: false } } }),
  ],
];
const vmwareCases: [string, VmwareScenarioProps][] = [
  ['defaults', vmwareProps({ replication: { applianceFabricName: 'fab', applianceContainerName: 'cont' } })],
  [
    'auto-upgrade off',
    vmwareProps({
      vault: { ...vmwareProps().vault, extensionUpdateSettings: { autoUpdateEnabled: false } },
      replication: { applianceFabricName: 'fab', applianceContainerName: 'cont' },
    }),
  ],
];

describe('parity: both engines equal the domain plan', () => {
  it.each(a2aCases)('A2A, %s', async (label, props) => {
    const plan = sortPlan(planScenario(resolveA2AScenario(props)));
    expect(normalizeCdktf(synth(new A2AStack(testApp(), 'a2a', props)))).toEqual(plan);
    const preview = await runOfflineProgram(() => new A2AMobilityAutoUpdate('a2a', props), {
      project: PROJECT_NAME,
      stack: 'a2a',
    });
    const { compared, extra } = splitDifferences(normalizePulumi(preview.resources));
    expect(compared).toEqual(sortPlan(withoutDifferences(plan, 'pulumi')));
    expect(extra).toEqual(label === 'user-hosted runbook' || label === 'auto-update off' ? [] : HOSTING);
  });

  it.each(vmwareCases)('VMware, %s', async (_, props) => {
    const plan = sortPlan(planScenario(resolveVmwareScenario(props)));
    expect(normalizeCdktf(synth(new VmwareStack(testApp(), 'vmware', props)))).toEqual(plan);
    const preview = await runOfflineProgram(() => new VmwareMobilityAutoUpdate('vmware', props), {
      project: PROJECT_NAME,
      stack: 'vmware',
    });
    const { compared, extra } = splitDifferences(normalizePulumi(preview.resources));
    expect(compared).toEqual(sortPlan(withoutDifferences(plan, 'pulumi')));
    expect(extra).toEqual(HOSTING);
  });

  it('the example configurations of both engines describe the same deployment', async () => {
    const context = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdktf.json'), 'utf8')).context;
    const app = buildApp(testApp(context), { ASR_NOW: NOW });
    for (const stack of ['a2a', 'vmware']) {
      const cdktf = normalizeCdktf(synth(app.node.findChild(stack) as A2AStack));
      const { config } = readStackFile(join(__dirname, '..', '..', `Pulumi.${stack}.yaml`));
      const preview = await runOffline(config, { project: PROJECT_NAME, stack, clock: fixedClock });
      const { compared } = splitDifferences(normalizePulumi(preview.resources));
      expect(compared).toEqual(withoutDifferences(cdktf, 'pulumi'));
    }
  });

  it('lists every difference with a reason', () => {
    for (const d of ENGINE_DIFFERENCES) expect(d.reason.length).toBeGreaterThan(40);
  });
});
