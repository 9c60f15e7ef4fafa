import { RoleAssignment } from '@pulumi/azure-native/authorization';
import { AutomationAccount, JobSchedule, Runbook, Schedule } from '@pulumi/azure-native/automation';
import type { RuntimeEnvironment } from '@pulumi/azure-native/automation/runtimeEnvironment';
import type { MetricAlert } from '@pulumi/azure-native/monitor/metricAlert';
import * as pulumi from '@pulumi/pulumi';
import {
  type AutoUpdateAutomationProps,
  type AutoUpdateAutomationSpec,
  type Finding,
  type Suppression,
  bindJobParameters,
  handedOver,
  resolveAutoUpdateAutomationBlock,
  roleAssignmentDescription,
  roleDefinitionScope,
  scheduleDescription,
} from '../domain/internal';
import { ingestionReferences, type EstateVisibility } from './estate-visibility';
import { addAutomationCore, addAutomationMonitoring, type RunbookHosting } from './automation-core';
import type { RunbookContent } from './runbook-content';
import { splitWorkspaceProvider, type WorkspaceProviderArgs } from './workspace-provider';
import type { IRecoveryVault } from './recovery-vault';
import {
  PACKAGE,
  reportWarnings,
  roleDefinitionId,
  tagsOrUndefined,
  type Ref,
  PULUMI_BLOCKS,
} from './shared';

export { RUNBOOK_LINK_ANCHOR_METADATA_KEY, type RunbookHosting } from './automation-core';

/** Args of {@link AutoUpdateAutomation}: the domain props (`Input<string>` where a prop points at another resource), the vault, suppressions. */
export type AutoUpdateAutomationArgs = AutoUpdateAutomationProps<Ref> &
  WorkspaceProviderArgs & {
    /** The vault whose mappings the runbook keeps current: a {@link RecoveryVault}, or an existing one from `RecoveryVault.fromVaultId`. */
    readonly vault: IRecoveryVault;
    /**
     * Reasoned exceptions to warning rules (ASR-W01, W02, W03, W05 run in this component).
     * @default none
     */
    readonly suppressions?: readonly Suppression[];
  };

/**
 * The custom automation account that keeps Mobility-service agents current: system-assigned
 * identity only, local authentication off, the runbook, its daily schedule and job schedule, and
 * the identity's role on the vault. azure-native's Runbook only takes a content link or an empty
 * draft: by default (`runbookHosting: 'publish'`) the runbook is declared as a draft and its content
 * put and published through Resource Manager by a {@link RunbookContent}, with the deployer's own
 * token (a secret input), and no storage account; the job schedule depends on it. With
 * `runbookHosting: 'storage'` the runbook is uploaded to a private, content-addressed blob and
 * linked through a read-only, HTTPS-only SAS with a bounded expiry (the account keeps shared-key and
 * public network access). A `runbookContentLink` wins over both. With `visibility`, the tables are
 * declared in the workspace's subscription through `workspaceProvider`.
 */
export class AutoUpdateAutomation extends pulumi.ComponentResource {
  readonly spec: AutoUpdateAutomationSpec<Ref>;
  readonly account: AutomationAccount;
  /** The PowerShell runtime environment, when this component creates it (API 2024-10-23). */
  readonly runtimeEnvironment?: RuntimeEnvironment;
  readonly runbook: Runbook;
  readonly schedule: Schedule;
  readonly jobSchedule: JobSchedule;
  readonly roleAssignments: readonly RoleAssignment[];
  /** The storage account, container and blob, with `runbookHosting: 'storage'` only. */
  readonly hosting?: RunbookHosting;
  /**
   * The runbook's content, published through Resource Manager with the deployer's credentials
   * (`runbookHosting: 'publish'`, the default, and no `runbookContentLink`).
   */
  readonly runbookContent?: RunbookContent;
  /** The metric alert on failed runbook jobs (`<name>-failed-job-alert`), unless switched off. */
  readonly failedJobAlert?: MetricAlert;
  /** What `visibility` registers, when a workspace is given. */
  readonly visibility?: EstateVisibility;
  readonly automationAccountId: pulumi.Output<string>;
  readonly principalId: pulumi.Output<string>;
  /** The policy warnings this component reported (none when a scenario checked it). */
  readonly warnings: readonly Finding[];

  constructor(name: string, args: AutoUpdateAutomationArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before anything is registered.
    // A scenario hands its validated spec over with the props object itself: keep that object then.
    const { provider: workspaceProvider, props } = splitWorkspaceProvider(args);
    const [spec, warnings] = resolveAutoUpdateAutomationBlock(PULUMI_BLOCKS, handedOver(args) ? args : props);
    super(`${PACKAGE}:automation:AutoUpdateAutomation`, name, {}, opts);
    const { vault } = args;
    this.spec = spec;
    this.warnings = warnings;
    const tags = tagsOrUndefined(spec.tags);
    const common = { resourceGroupName: spec.resourceGroupName };

    const core = addAutomationCore(this, name, spec, tags, workspaceProvider);
    this.account = core.account;
    this.runtimeEnvironment = core.runtimeEnvironment;
    this.hosting = core.hosting;
    this.runbook = core.runbook;
    this.runbookContent = core.runbookContent;
    this.visibility = core.visibility;
    this.automationAccountId = this.account.id;
    this.principalId = this.account.identity.apply((i) => i?.principalId ?? '');

    this.schedule = new Schedule(
      `${name}-schedule`,
      {
        ...common,
        automationAccountName: this.account.name,
        scheduleName: spec.schedule.name,
        name: spec.schedule.name,
        frequency: spec.schedule.frequency,
        interval: spec.schedule.interval,
        timeZone: spec.schedule.timeZone,
        startTime: spec.schedule.startTime,
        description: scheduleDescription(spec.schedule),
      },
      // The start time only matters for the first run; ignoring it keeps later deploys diff-free.
      { parent: this, ignoreChanges: ['startTime'] },
    );

    this.jobSchedule = new JobSchedule(
      `${name}-job-schedule`,
      {
        ...common,
        automationAccountName: this.account.name,
        jobScheduleId: spec.jobScheduleId,
        runbook: { name: this.runbook.name },
        schedule: { name: this.schedule.name },
        parameters: bindJobParameters<pulumi.Input<string>>(spec.jobParameters, {
          'vault.id': vault.vaultId,
          'automationAccount.id': this.account.id,
          ...ingestionReferences(core.visibility),
        }),
      },
      // Never a schedule of a runbook whose content is not published yet.
      { parent: this, dependsOn: core.published },
    );

    this.roleAssignments = spec.roleAssignments.map((ra) => {
      const scope = ra.scope.kind === 'vault' ? vault.vaultId : ra.scope.resourceId;
      return new RoleAssignment(
        `${name}-role-${ra.name}`,
        {
          roleAssignmentName: ra.name,
          scope,
          roleDefinitionId: roleDefinitionId(roleDefinitionScope(ra.scope), ra.roleDefinitionGuid, scope),
          principalId: this.principalId,
          principalType: ra.principalType,
          description: roleAssignmentDescription(ra.scope.kind),
        },
        { parent: this },
      );
    });
    this.failedJobAlert = addAutomationMonitoring(this, name, spec, this.account.id);
    reportWarnings(this, warnings);
    this.registerOutputs({ automationAccountId: this.automationAccountId, principalId: this.principalId });
  }
}

// How the domain recognises this class's instances as references (domain/blocks.ts).
PULUMI_BLOCKS.brand.mark(AutoUpdateAutomation, 'AutoUpdateAutomation');
