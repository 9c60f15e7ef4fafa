import type { AutomationAccount } from '@cdktf/provider-azurerm/lib/automation-account';
import { AutomationJobSchedule } from '@cdktf/provider-azurerm/lib/automation-job-schedule';
import type { AutomationRunbook } from '@cdktf/provider-azurerm/lib/automation-runbook';
import { AutomationSchedule } from '@cdktf/provider-azurerm/lib/automation-schedule';
import type { MonitorMetricAlert } from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';
import { Construct } from 'constructs';
import {
  bindJobParameters,
  fleetScheduleDescription as scheduleDescription,
  resolveExistingVaultsScenario,
  roleAssignmentDescription,
  roleDefinitionScope,
  type ExistingVaultsScenarioProps,
  type ExistingVaultsScenarioSpec,
} from '../domain/internal';
import { addAutomationCore, addAutomationMonitoring } from './automation-core';
import { ingestionReferences, type EstateVisibility } from './estate-visibility';
import type { RuntimeEnvironmentResource } from './flavour-contract';
import { reportWarnings, roleDefinitionId, TERRAFORM_DEPLOY_TIME } from './shared';

/** One time zone's schedule and the job schedule that runs the runbook for its vaults. */
export interface FleetSchedule {
  readonly schedule: AutomationSchedule;
  readonly jobSchedule: AutomationJobSchedule;
}

/**
 * Keeps Mobility-service agents current on vaults that already exist: one automation account
 * (system-assigned identity, local authentication off) with the runbook, a daily schedule per time
 * zone whose job passes that zone's vault ids (`vaultresourceids`), the identity's role on each vault
 * (scoped to the vault's id), and the failed-job alert. With `discovery`, the runbook also finds
 * vaults each night by scope and tag: a custom role with only the runbook's actions (or the role
 * asked for) is then assigned at each subscription or management group (reported as warning ASR-W01). A vault id may be a token (a data source attribute, a
 * `TerraformVariable`) given with a stable `key`. No vault, fabric, container, policy or mapping is
 * declared. Every prop is validated before anything is created.
 */
export class ExistingVaultsMobilityAutoUpdate extends Construct {
  readonly spec: ExistingVaultsScenarioSpec;
  /** The automation account (construct id `Resource`). */
  readonly account: AutomationAccount;
  /** The PowerShell runtime environment, when this construct creates it. */
  readonly runtimeEnvironment?: RuntimeEnvironmentResource;
  readonly runbook: AutomationRunbook;
  /** By time zone key (`Schedule-<key>`, `JobSchedule-<key>`), in the order of the spec. */
  readonly schedules: readonly FleetSchedule[];
  /** One per vault, in the order given, then each discovery scope, then any additional scope. */
  readonly roleAssignments: readonly RoleAssignment[];
  /**
   * The custom role assigned at the discovery scopes (construct id `RoleDefinition`): with
   * `discovery` when `automation.roleDefinition` is not given.
   */
  readonly roleDefinition?: RoleDefinition;
  readonly failedJobAlert?: MonitorMetricAlert;
  /** What `visibility` declares (construct id `Visibility`), when a workspace is given. */
  readonly visibility?: EstateVisibility;
  readonly automationAccountId: string;
  readonly principalId: string;

  constructor(scope: Construct, id: string, props: ExistingVaultsScenarioProps) {
    // Validate before anything is added to the construct tree.
    const spec = resolveExistingVaultsScenario(props, TERRAFORM_DEPLOY_TIME);
    super(scope, id);
    this.spec = spec;
    const a = spec.automation;
    const tags = Object.keys(a.tags).length > 0 ? { ...a.tags } : undefined;
    const core = addAutomationCore(this, a, tags);
    this.account = core.account;
    this.runtimeEnvironment = core.runtimeEnvironment;
    this.runbook = core.runbook;
    this.visibility = core.visibility;
    this.automationAccountId = this.account.id;
    this.principalId = this.account.identity.principalId;

    this.schedules = a.schedules.map((s) => {
      const schedule = new AutomationSchedule(this, `Schedule-${s.key}`, {
        name: s.name,
        resourceGroupName: a.resourceGroupName,
        automationAccountName: this.account.name,
        frequency: s.frequency,
        interval: s.interval,
        timezone: s.timeZone,
        startTime: s.startTime,
        description: scheduleDescription(s),
        // The start time only matters for the first run; ignoring it keeps later deploys diff-free.
        lifecycle: { ignoreChanges: ['start_time'] },
      });
      const jobSchedule = new AutomationJobSchedule(this, `JobSchedule-${s.key}`, {
        resourceGroupName: a.resourceGroupName,
        automationAccountName: this.account.name,
        jobScheduleId: s.jobScheduleId,
        runbookName: this.runbook.name,
        scheduleName: schedule.name,
        // Lists join as text: a reference (token) in them becomes Terraform's own interpolation.
        parameters: bindJobParameters(s.jobParameters, {
          'automationAccount.id': this.account.id,
          vaults: s.vaultResourceIds.join(','),
          excludedVaults: s.excludeVaultResourceIds.join(','),
          ...ingestionReferences(core.visibility),
        }),
        // As for a single vault: a new runbook type replaces the runbook and Automation drops its job schedules.
        lifecycle: {
          replaceTriggeredBy: [
            `${this.runbook.terraformResourceType}.${this.runbook.friendlyUniqueId}.runbook_type`,
          ],
        },
      });
      return { schedule, jobSchedule };
    });

    const d = a.roleDefinition;
    const definition = d
      ? new RoleDefinition(this, 'RoleDefinition', {
          roleDefinitionId: d.guid,
          name: d.roleName,
          description: d.description,
          scope: d.scope,
          assignableScopes: [...d.assignableScopes],
          permissions: [{ actions: [...d.actions], notActions: [...d.notActions] }],
        })
      : undefined;
    this.roleDefinition = definition;

    this.roleAssignments = a.roleAssignments.map((ra) => {
      const s = ra.scope;
      return new RoleAssignment(this, `RoleAssignment-${ra.name}`, {
        // The custom role must exist before it is assigned.
        ...(ra.customRole && definition ? { dependsOn: [definition] } : {}),
        name: ra.name,
        // A vault's own id (a literal or a reference), a discovery scope, or a scope the user added.
        scope: s.resourceId,
        roleDefinitionId: roleDefinitionId(roleDefinitionScope(s), ra.roleDefinitionGuid, s.resourceId),
        principalId: this.principalId,
        principalType: ra.principalType,
        // A fresh identity may not have replicated in Entra ID yet.
        skipServicePrincipalAadCheck: true,
        description: roleAssignmentDescription(s.kind),
      });
    });
    this.failedJobAlert = addAutomationMonitoring(this, a, this.account.id);
    reportWarnings(this, spec.warnings);
  }
}
