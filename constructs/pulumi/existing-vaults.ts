import { RoleAssignment } from '@pulumi/azure-native/authorization';
import { RoleDefinition } from '@pulumi/azure-native/authorization/roleDefinition';
import { JobSchedule, Schedule, type AutomationAccount, type Runbook } from '@pulumi/azure-native/automation';
import type { RuntimeEnvironment } from '@pulumi/azure-native/automation/runtimeEnvironment';
import type { MetricAlert } from '@pulumi/azure-native/monitor/metricAlert';
import * as pulumi from '@pulumi/pulumi';
import {
  bindJobParameters,
  fleetScheduleDescription,
  resolveExistingVaultsScenario,
  roleAssignmentDescription,
  roleDefinitionScope,
  type ExistingVaultsScenarioProps,
  type ExistingVaultsScenarioSpec,
} from '../domain/internal';
import { ingestionReferences, type EstateVisibility } from './estate-visibility';
import { addAutomationCore, addAutomationMonitoring, type RunbookHosting } from './automation-core';
import type { RunbookContent } from './runbook-content';
import { splitWorkspaceProvider, type WorkspaceProviderArgs } from './workspace-provider';
import {
  PACKAGE,
  PULUMI_DEPLOY_TIME,
  reportWarnings,
  roleDefinitionId,
  tagsOrUndefined,
  type Ref,
} from './shared';

/** One time zone's schedule and the job schedule that runs the runbook for its vaults. */
export interface FleetSchedule {
  readonly schedule: Schedule;
  readonly jobSchedule: JobSchedule;
}

/**
 * Keeps Mobility-service agents current on vaults that already exist: one automation account
 * (system-assigned identity, local authentication off) with the runbook, a daily schedule per time
 * zone whose job passes that zone's vault ids (`vaultresourceids`), the identity's role on each vault
 * (scoped to the vault's id), and the failed-job alert. With `discovery`, the runbook also finds
 * vaults each night by scope and tag: a custom role with only the runbook's actions (or the role
 * asked for) is then assigned at each subscription or management group (reported as warning ASR-W01). A vault id may be an Output (a StackReference's) given with
 * a stable `key`. No vault, fabric, container, policy or mapping is registered. Every prop is
 * validated before anything is registered.
 */
export class ExistingVaultsMobilityAutoUpdate extends pulumi.ComponentResource {
  readonly spec: ExistingVaultsScenarioSpec<Ref>;
  readonly account: AutomationAccount;
  readonly runtimeEnvironment?: RuntimeEnvironment;
  readonly runbook: Runbook;
  /** The storage account, container and blob, with `runbookHosting: 'storage'` only. */
  readonly hosting?: RunbookHosting;
  /**
   * The runbook's content, published through Resource Manager with the deployer's credentials
   * (`runbookHosting: 'publish'`, the default, and no `runbookContentLink`).
   */
  readonly runbookContent?: RunbookContent;
  /** By time zone (`<name>-schedule-<key>`, `<name>-job-schedule-<key>`), in the order of the spec. */
  readonly schedules: readonly FleetSchedule[];
  /** One per vault, in the order given, then each discovery scope, then any additional scope. */
  readonly roleAssignments: readonly RoleAssignment[];
  /**
   * The custom role assigned at the discovery scopes (`<name>-role-definition`): with `discovery`
   * when `automation.roleDefinition` is not given.
   */
  readonly roleDefinition?: RoleDefinition;
  readonly failedJobAlert?: MetricAlert;
  /** What `visibility` registers, when a workspace is given. */
  readonly visibility?: EstateVisibility;
  readonly automationAccountId: pulumi.Output<string>;
  readonly principalId: pulumi.Output<string>;

  constructor(
    name: string,
    args: ExistingVaultsScenarioProps<Ref> & WorkspaceProviderArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    const { provider: workspaceProvider, props } = splitWorkspaceProvider(args);
    const spec = resolveExistingVaultsScenario(props, PULUMI_DEPLOY_TIME);
    super(`${PACKAGE}:scenarios:ExistingVaultsMobilityAutoUpdate`, name, {}, opts);
    this.spec = spec;
    const a = spec.automation;
    const common = { resourceGroupName: a.resourceGroupName };
    const core = addAutomationCore(this, `${name}-automation`, a, tagsOrUndefined(a.tags), workspaceProvider);
    this.account = core.account;
    this.runtimeEnvironment = core.runtimeEnvironment;
    this.hosting = core.hosting;
    this.runbook = core.runbook;
    this.runbookContent = core.runbookContent;
    this.visibility = core.visibility;
    this.automationAccountId = this.account.id;
    this.principalId = this.account.identity.apply((i) => i?.principalId ?? '');

    const join = (ids: readonly Ref[]) => pulumi.all([...ids]).apply((known) => known.join(','));
    this.schedules = a.schedules.map((s) => {
      const schedule = new Schedule(
        `${name}-schedule-${s.key}`,
        {
          ...common,
          automationAccountName: this.account.name,
          scheduleName: s.name,
          name: s.name,
          frequency: s.frequency,
          interval: s.interval,
          timeZone: s.timeZone,
          startTime: s.startTime,
          description: fleetScheduleDescription(s),
        },
        // The start time only matters for the first run; ignoring it keeps later deploys diff-free.
        { parent: this, ignoreChanges: ['startTime'] },
      );
      const jobSchedule = new JobSchedule(
        `${name}-job-schedule-${s.key}`,
        {
          ...common,
          automationAccountName: this.account.name,
          jobScheduleId: s.jobScheduleId,
          runbook: { name: this.runbook.name },
          schedule: { name: schedule.name },
          // A list with an Output in it is joined once every id is known.
          parameters: bindJobParameters<pulumi.Input<string>>(s.jobParameters, {
            'automationAccount.id': this.account.id,
            // Joined only when the job passes the list.
            ...(s.vaultResourceIds.length > 0 ? { vaults: join(s.vaultResourceIds) } : {}),
            ...(s.excludeVaultResourceIds.length > 0
              ? { excludedVaults: join(s.excludeVaultResourceIds) }
              : {}),
            ...ingestionReferences(core.visibility),
          }),
        },
        // Never a schedule of a runbook whose content is not published yet.
        { parent: this, dependsOn: core.published },
      );
      return { schedule, jobSchedule };
    });

    const d = a.roleDefinition;
    const definition = d
      ? new RoleDefinition(
          `${name}-role-definition`,
          {
            roleDefinitionId: d.guid,
            roleName: d.roleName,
            roleType: 'CustomRole',
            description: d.description,
            scope: d.scope,
            assignableScopes: [...d.assignableScopes],
            permissions: [
              { actions: [...d.actions], notActions: [...d.notActions], dataActions: [], notDataActions: [] },
            ],
          },
          { parent: this },
        )
      : undefined;
    this.roleDefinition = definition;

    this.roleAssignments = a.roleAssignments.map((ra) => {
      const s = ra.scope;
      return new RoleAssignment(
        `${name}-role-${ra.name}`,
        {
          roleAssignmentName: ra.name,
          // A vault's own id (a literal or an Output), a discovery scope, or a scope the user added.
          scope: s.resourceId,
          roleDefinitionId: roleDefinitionId(roleDefinitionScope(s), ra.roleDefinitionGuid, s.resourceId),
          principalId: this.principalId,
          principalType: ra.principalType,
          description: roleAssignmentDescription(s.kind),
        },
        // The custom role must exist before it is assigned.
        { parent: this, ...(ra.customRole && definition ? { dependsOn: [definition] } : {}) },
      );
    });
    this.failedJobAlert = addAutomationMonitoring(this, `${name}-automation`, a, this.account.id);
    reportWarnings(this, spec.warnings);
    this.registerOutputs({ automationAccountId: this.automationAccountId, principalId: this.principalId });
  }
}
