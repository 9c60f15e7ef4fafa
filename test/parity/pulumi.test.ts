import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  planExistingVaults,
  planScenario,
  resolveA2AScenario,
  resolveExistingVaultsScenario,
  resolveVmwareScenario,
  type PlannedResource,
} from '../../constructs/domain/internal';
import {
  A2AMobilityAutoUpdate,
  ENGINE_DIFFERENCES,
  ExistingVaultsMobilityAutoUpdate,
  VmwareMobilityAutoUpdate,
} from '../../constructs/pulumi';
import { buildApp } from '../../stacks/cdktf/main';
import type { A2AStack } from '../../stacks/cdktf/stacks';
import { readStackFile, runOffline, runOfflineProgram } from '../../stacks/pulumi/offline';
import { PROJECT_NAME } from '../../stacks/pulumi/project-file';
import { synth, testApp } from '../cdktf/helpers';
import { fixedClock, NOW } from '../fixtures';
import { a2aCases, existingCases, vmwareCases } from './cases';
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
// The Terraform flavours (cdktf, cdktn) are compared with the plan in terraform.test.ts.
describe('parity: Pulumi equals the domain plan', () => {
  it.each(a2aCases)('A2A, %s', async (label, props) => {
    const plan = sortPlan(planScenario(resolveA2AScenario(props)));
    const preview = await runOfflineProgram(() => new A2AMobilityAutoUpdate('a2a', props), {
      project: PROJECT_NAME,
      stack: 'a2a',
    });
    const { compared, extra } = splitDifferences(normalizePulumi(preview.resources));
    expect(compared).toEqual(sortPlan(withoutDifferences(plan, 'pulumi')));
    // The runbook is published through Resource Manager unless runbookHosting: 'storage' asks for storage.
    expect(extra).toEqual(label === 'runbook hosted on storage' ? HOSTING : []);
  });

  it.each(vmwareCases)('VMware, %s', async (_, props) => {
    const plan = sortPlan(planScenario(resolveVmwareScenario(props)));
    const preview = await runOfflineProgram(() => new VmwareMobilityAutoUpdate('vmware', props), {
      project: PROJECT_NAME,
      stack: 'vmware',
    });
    const { compared, extra } = splitDifferences(normalizePulumi(preview.resources));
    expect(compared).toEqual(sortPlan(withoutDifferences(plan, 'pulumi')));
    expect(extra).toEqual([]);
  });

  it.each(existingCases)('existing vaults, %s', async (_, props) => {
    const plan = sortPlan(planExistingVaults(resolveExistingVaultsScenario(props)));
    const preview = await runOfflineProgram(() => new ExistingVaultsMobilityAutoUpdate('existing', props), {
      project: PROJECT_NAME,
      stack: 'existing',
    });
    const { compared, extra } = splitDifferences(normalizePulumi(preview.resources));
    expect(compared).toEqual(sortPlan(withoutDifferences(plan, 'pulumi')));
    expect(extra).toEqual([]);
  });

  it('the example configurations of both engines describe the same deployment', async () => {
    const context = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdktf.json'), 'utf8')).context;
    const app = buildApp(testApp(context), { ASR_NOW: NOW });
    for (const stack of ['a2a', 'vmware', 'existing']) {
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
