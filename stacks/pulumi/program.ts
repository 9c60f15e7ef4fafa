import * as pulumi from '@pulumi/pulumi';
import {
  A2AMobilityAutoUpdate,
  ExistingVaultsMobilityAutoUpdate,
  VmwareMobilityAutoUpdate,
} from '../../constructs/pulumi';
import type { Clock } from '../../constructs/domain';
import { scenarioFromConfig, type ConfigSource } from './config';

/** What the program exports as stack outputs. */
export interface ProgramOutputs {
  readonly scenario: string;
  /** Absent for the existing scenario, which declares no vault. */
  readonly vaultId?: pulumi.Output<string>;
  readonly automationAccountId?: pulumi.Output<string>;
  readonly automationPrincipalId?: pulumi.Output<string>;
}

/** Builds the configured scenario. Invalid config fails here, before any resource is registered. */
export function program(source: ConfigSource, clock?: Clock): ProgramOutputs {
  const s = scenarioFromConfig(source, clock);
  if (s.scenario === 'existing') {
    const fleet = new ExistingVaultsMobilityAutoUpdate('existing', s.props);
    return {
      scenario: s.scenario,
      automationAccountId: fleet.automationAccountId,
      automationPrincipalId: fleet.principalId,
    };
  }
  const component =
    s.scenario === 'a2a'
      ? new A2AMobilityAutoUpdate('a2a', s.props)
      : new VmwareMobilityAutoUpdate('vmware', s.props);
  return {
    scenario: s.scenario,
    vaultId: component.vault.vaultId,
    automationAccountId: component.automation?.automationAccountId,
    automationPrincipalId: component.automation?.principalId,
  };
}

/** The clock: ASR_NOW when set (repeatable runs), else the system clock (shared with the cdktf app). */
export { clockFrom as clockFromEnvironment } from '../config';
