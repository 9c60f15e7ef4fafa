import { AutomationAccount } from '@cdktf/provider-azurerm/lib/automation-account';
import { AutomationJobSchedule } from '@cdktf/provider-azurerm/lib/automation-job-schedule';
import { AutomationRunbook } from '@cdktf/provider-azurerm/lib/automation-runbook';
import { AutomationSchedule } from '@cdktf/provider-azurerm/lib/automation-schedule';
import { MonitorMetricAlert } from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Construct } from 'constructs';
import {
  type AutoUpdateAutomationProps,
  type AutoUpdateAutomationSpec,
  type Finding,
  type Suppression,
  bindJobParameters,
  resolveAutoUpdateAutomationBlock,
  roleAssignmentDescription,
  roleDefinitionScope,
  scheduleDescription,
} from '../domain/internal';
import type { IRecoveryVault } from './recovery-vault';
import { ingestionReferences, type EstateVisibility } from './estate-visibility';
import type { RuntimeEnvironmentResource } from './flavour-contract';
import { addAutomationCore, addAutomationMonitoring } from './automation-core';
import { reportWarnings, roleDefinitionId, TERRAFORM_BLOCKS } from './shared';

/** Props of {@link AutoUpdateAutomation}: the domain props (tokens where their TSDoc allows), the vault, suppressions. */
export type AutoUpdateAutomationConstructProps = AutoUpdateAutomationProps & {
  /** The vault whose mappings the runbook keeps current: a {@link RecoveryVault}, or an existing one from `RecoveryVault.fromVaultId`. */
  readonly vault: IRecoveryVault;
  /**
   * Reasoned exceptions to warning rules (ASR-W01, W02, W03, W05 run in this block).
   * @default none
   */
  readonly suppressions?: readonly Suppression[];
};

/**
 * The custom automation account that keeps Mobility-service agents current: system-assigned
 * identity only, local authentication off, the runbook, its daily schedule and job schedule,
 * and the identity's role on the vault.
 */
export class AutoUpdateAutomation extends Construct {
  readonly spec: AutoUpdateAutomationSpec;
  /** The automation account (construct id `Resource`). */
  readonly account: AutomationAccount;
  /** The PowerShell runtime environment, when this construct creates it (construct id `RuntimeEnvironment`). */
  readonly runtimeEnvironment?: RuntimeEnvironmentResource;
  readonly runbook: AutomationRunbook;
  readonly schedule: AutomationSchedule;
  readonly jobSchedule: AutomationJobSchedule;
  readonly roleAssignments: readonly RoleAssignment[];
  /** The metric alert on failed runbook jobs (construct id `FailedJobAlert`), unless switched off. */
  readonly failedJobAlert?: MonitorMetricAlert;
  /** The account's resource id: what container mappings point their auto-update at. */
  /** What `visibility` declares (construct id `Visibility`), when a workspace is given. */
  readonly visibility?: EstateVisibility;
  readonly automationAccountId: string;
  /** The principal id of the account's system-assigned identity. */
  readonly principalId: string;
  /** The policy warnings this block reported (none when a scenario checked it). */
  readonly warnings: readonly Finding[];

  constructor(scope: Construct, id: string, props: AutoUpdateAutomationConstructProps) {
    // Validate before anything is added to the construct tree.
    const [spec, warnings] = resolveAutoUpdateAutomationBlock(TERRAFORM_BLOCKS, props);
    super(scope, id);
    this.spec = spec;
    this.warnings = warnings;
    const { vault } = props;
    const tags = Object.keys(spec.tags).length > 0 ? { ...spec.tags } : undefined;

    const core = addAutomationCore(this, spec, tags);
    this.account = core.account;
    this.runtimeEnvironment = core.runtimeEnvironment;
    this.runbook = core.runbook;
    this.visibility = core.visibility;
    this.automationAccountId = this.account.id;
    this.principalId = this.account.identity.principalId;

    this.schedule = new AutomationSchedule(this, 'Schedule', {
      name: spec.schedule.name,
      resourceGroupName: spec.resourceGroupName,
      automationAccountName: this.account.name,
      frequency: spec.schedule.frequency,
      interval: spec.schedule.interval,
      timezone: spec.schedule.timeZone,
      startTime: spec.schedule.startTime,
      description: scheduleDescription(spec.schedule),
      // The start time only matters for the first run; ignoring it keeps later deploys diff-free.
      lifecycle: { ignoreChanges: ['start_time'] },
    });

    this.jobSchedule = new AutomationJobSchedule(this, 'JobSchedule', {
      resourceGroupName: spec.resourceGroupName,
      automationAccountName: this.account.name,
      jobScheduleId: spec.jobScheduleId,
      runbookName: this.runbook.name,
      scheduleName: this.schedule.name,
      parameters: bindJobParameters(spec.jobParameters, {
        'vault.id': vault.vaultId,
        'automationAccount.id': this.account.id,
        ...ingestionReferences(core.visibility),
      }),
      // A new runbook type replaces the runbook, and Automation deletes a runbook's job schedules with
      // it: recreate the job schedule then, so the daily run survives a move between runtimes.
      lifecycle: {
        replaceTriggeredBy: [
          `${AutomationRunbook.tfResourceType}.${this.runbook.friendlyUniqueId}.runbook_type`,
        ],
      },
    });

    this.roleAssignments = spec.roleAssignments.map((ra) => {
      const scope = ra.scope.kind === 'vault' ? vault.vaultId : ra.scope.resourceId;
      return new RoleAssignment(this, `RoleAssignment-${ra.name}`, {
        name: ra.name,
        scope,
        roleDefinitionId: roleDefinitionId(roleDefinitionScope(ra.scope), ra.roleDefinitionGuid, scope),
        principalId: this.principalId,
        principalType: ra.principalType,
        // A fresh identity may not have replicated in Entra ID yet.
        skipServicePrincipalAadCheck: true,
        description: roleAssignmentDescription(ra.scope.kind),
      });
    });
    this.failedJobAlert = addAutomationMonitoring(this, spec, this.account.id);
    reportWarnings(this, warnings);
  }
}

// How the domain recognises this class's instances as references (domain/blocks.ts).
TERRAFORM_BLOCKS.brand.mark(AutoUpdateAutomation, 'AutoUpdateAutomation');
