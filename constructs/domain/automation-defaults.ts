import { DEFAULT_ROLE } from './roles';

/** The replication providers whose mappings the runbook manages. */
export type ReplicationProvider = 'A2A' | 'InMageRcm';
/** What the runbook makes every mapping say. */
export type AutoUpdateAction = 'Enabled' | 'Disabled';
/** The only authentication this library supports: Run As accounts were retired on 2023-09-30. */
export type AutomationAuthenticationType = 'SystemAssignedIdentity';

/** The automation's defaults, one typed table for every part of it (account, schedule, runbook, roles). */
export const AUTOMATION_DEFAULTS = Object.freeze({
  nameSuffix: '-asr-updates',
  runbookName: 'Set-AsrMobilityAutoUpdate',
  scheduleName: 'asr-mobility-autoupdate-daily',
  timeOfDay: '00:00',
  startLeadMinutes: 10,
  sasValidityInHours: 48,
  runbookHosting: 'publish' as 'publish' | 'storage',
  publicNetworkAccessEnabled: false,
  providers: ['A2A'] as ReplicationProvider[],
  roleDefinition: DEFAULT_ROLE as string,
  diagnostics: { logCategories: ['JobLogs', 'JobStreams'], logCategoryGroups: [] as string[] },
});

/** A given name when it is valid, else the default; an invalid name is reported by `checkName`. */
export function nameOr(ok: boolean, value: unknown, fallback: string): string {
  return ok && typeof value === 'string' ? value : fallback;
}
