import type { AutoUpdateAutomationSpec, RoleAssignmentSpec } from '../automation';
import type { A2AReplicationSpec, VmwareReplicationSpec } from '../replication';
import type { VaultDiscoverySpec } from '../vault-discovery';
import type { RecoveryVaultSpec } from '../vault';

/** The facts a building block holds: its own validated spec and those of the blocks it is given. */
export type Fact = 'vault' | 'automation' | 'a2a' | 'vmware' | 'discovery';

/**
 * What a policy rule looks at: the validated facts at hand. A rule runs only where every fact it
 * `needs` is present, so it may rely on them.
 */
export interface CheckInput {
  readonly vault?: RecoveryVaultSpec<unknown>;
  /** The automation facts the rules read (a managed account's, or an existing-vaults fleet's). */
  readonly automation?: Pick<AutoUpdateAutomationSpec<unknown>, 'publicNetworkAccessEnabled' | 'runtime'> & {
    readonly roleAssignments: readonly RoleAssignmentSpec<unknown>[];
  };
  readonly a2a?: A2AReplicationSpec<unknown>;
  readonly vmware?: VmwareReplicationSpec;
  /** An existing-vaults fleet's discovery. */
  readonly discovery?: VaultDiscoverySpec;
}

/** What a rule reports: the fact and the prop within it. The runner adds the rule's id and level. */
export interface RuleFinding {
  /** The fact whose prop the finding is about. */
  readonly fact: Fact;
  /** The prop within that fact's props, as the user wrote it. */
  readonly prop: string;
  readonly value: unknown;
  readonly message: string;
}

/** A finding of a policy rule. Errors stop synthesis; warnings are reported at synth. */
export interface Finding {
  readonly ruleId: string;
  readonly level: 'error' | 'warning';
  /** The prop the finding is about, as the user wrote it. */
  readonly prop: string;
  readonly value: unknown;
  readonly message: string;
}

/**
 * A policy rule: a pure function of validated facts. Its id and level are declared here, once;
 * every finding carries them. It runs in the building block that owns one of the facts it needs
 * and is given the others (see `runPolicyChecks`), and once in a scenario.
 */
export interface PolicyRule {
  readonly id: string;
  readonly level: 'error' | 'warning';
  /** What the rule protects, in one line. */
  readonly description: string;
  /** The facts the rule reads; it runs only where all of them are at hand. */
  readonly needs: readonly Fact[];
  check(input: CheckInput): RuleFinding[];
}

/** A reasoned exception to a warning rule. Error rules cannot be suppressed. */
export interface Suppression {
  /** The rule's id, for example `ASR-W01`. */
  readonly ruleId: string;
  /** Why the warning does not apply here: at least 10 characters, kept in the code review trail. */
  readonly reason: string;
}
