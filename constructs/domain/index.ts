/**
 * The engine-neutral domain: props, defaults, validation, naming, the region and role tables,
 * the policy checks, the plan and the runbook asset. No engine is imported here.
 */
export * from './agent-status';
export * from './alerts';
export * from './automation';
export * from './checks';
export * from './errors';
export * from './existing-vaults';
export * from './naming';
export * from './plan';
export * from './regions';
export * from './replication';
export * from './roles';
export * from './rules';
export * from './runbook-asset';
export * from './runtime';
export * from './scenario';
export * from './schedule';
export * from './shared';
export * from './vault';
