import type { AutoUpdateAutomationSpec } from '../automation';
import type { VmwareReplicationSpec } from '../replication';
import type { RecoveryVaultSpec } from '../vault';

/** What a policy rule looks at: the validated scenario. */
export type CheckInput =
  | {
      readonly scenario: 'a2a' | 'vmware';
      readonly vault: RecoveryVaultSpec;
      readonly automation?: AutoUpdateAutomationSpec;
      readonly vmware?: VmwareReplicationSpec;
    }
  | {
      /** Existing vaults: no vault or replication of this library's, only the automation. */
      readonly scenario: 'existing';
      readonly vault?: undefined;
      readonly automation: Pick<
        AutoUpdateAutomationSpec,
        'roleAssignments' | 'publicNetworkAccessEnabled' | 'runtime'
      >;
      readonly vmware?: undefined;
    };

/** A finding of a policy rule. Errors stop synthesis; warnings are reported at synth. */
export interface Finding {
  readonly ruleId: string;
  readonly level: 'error' | 'warning';
  /** The prop the finding is about, as the user wrote it. */
  readonly prop: string;
  readonly value: unknown;
  readonly message: string;
}

/** A policy rule: a pure function of the validated scenario. */
export interface PolicyRule {
  readonly id: string;
  readonly level: 'error' | 'warning';
  /** What the rule protects, in one line. */
  readonly description: string;
  check(input: CheckInput): Finding[];
}

/** A reasoned exception to a warning rule. Error rules cannot be suppressed. */
export interface Suppression {
  /** The rule's id, for example `ASR-W01`. */
  readonly ruleId: string;
  /** Why the warning does not apply here: at least 10 characters, kept in the code review trail. */
  readonly reason: string;
}
