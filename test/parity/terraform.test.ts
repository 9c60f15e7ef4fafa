import {
  planExistingVaults,
  planScenario,
  resolveA2AScenario,
  resolveExistingVaultsScenario,
  resolveVmwareScenario,
} from '../../constructs/domain/internal';
import { TERRAFORM_FLAVOUR } from '../../constructs/cdktf';
import { A2AStack, ExistingStack, VmwareStack } from '../../stacks/cdktf/stacks';
import { synth, testApp } from '../cdktf/helpers';
import { a2aCases, existingCases, vmwareCases } from './cases';
import { normalizeCdktf, sortPlan } from './normalize';

// Runs in both jest projects: with the cdktf bindings, and mapped to the cdktn bindings (jest.config.js).
// Together with pulumi.test.ts: three engines against one plan.
describe(`parity: ${TERRAFORM_FLAVOUR.name} equals the domain plan`, () => {
  it.each(a2aCases)('A2A, %s', (_, props) => {
    const plan = sortPlan(planScenario(resolveA2AScenario(props)));
    expect(normalizeCdktf(synth(new A2AStack(testApp(), 'a2a', props)))).toEqual(plan);
  });

  it.each(vmwareCases)('VMware, %s', (_, props) => {
    const plan = sortPlan(planScenario(resolveVmwareScenario(props)));
    expect(normalizeCdktf(synth(new VmwareStack(testApp(), 'vmware', props)))).toEqual(plan);
  });

  it.each(existingCases)('existing vaults, %s', (_, props) => {
    const plan = sortPlan(planExistingVaults(resolveExistingVaultsScenario(props)));
    expect(normalizeCdktf(synth(new ExistingStack(testApp(), 'existing', props)))).toEqual(plan);
  });
});
