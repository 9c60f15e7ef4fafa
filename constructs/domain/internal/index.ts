/**
 * Everything the domain has, for the adapters, stacks and tests of this repository. This folder is
 * not an entry point: package.json exports only `domain`, `cdktf`, `cdktn` and `pulumi`, whose
 * index files list the public API by name (API Extractor records them in api/*.api.md, and a test
 * compares).
 */
export * from '../agent-status';
export * from '../alerts';
export * from '../automation';
export * from '../blocks';
export * from '../checks';
export * from '../errors';
export * from '../existing-vaults';
export * from '../handover';
export * from '../naming';
export * from '../plan';
export * from '../regions';
export * from '../replication';
export * from '../roles';
export * from '../rules';
export * from '../runbook-asset';
export * from '../runtime';
export * from '../scenario';
export * from '../schedule';
export * from '../shared';
export * from '../vault';
export * from '../visibility';
export * from '../estate-alerts';
export * from '../automation-account';
export * from '../automation-defaults';
export * from '../daily-schedule';
export * from '../fleet-schedules';
export * from '../role-assignments';
export * from '../runbook-hosting';
export * from '../runbook-parameters';
export * from '../vault-discovery';
export * from '../vault-id';
