import type { CoverageDuty } from './contract';

const LIST = 'ReplicationProtectionContainerMappings_List@2026-05-01';
const GET = 'ReplicationProtectionContainerMappings_Get@2026-05-01';
const UPDATE = 'ReplicationProtectionContainerMappings_Update@2026-05-01';
const ITEMS = 'ReplicationProtectedItems_List@2026-05-01';
const ASYNC = 'AzureAsyncOperation_Status@2026-05-01';
const LOCATION = 'Location_Result@2026-05-01';
const TOKEN = 'ManagedIdentity_GetToken@2019-08-01';

/** What every scenario file exercises: a token, the listing, a change followed to its end, the agent report. */
const EVERY_FILE = [TOKEN, LIST, GET, UPDATE, ITEMS, ASYNC];

/**
 * Which contract operations each execution scenario file (test/runbook/execution-*.test.ts) is responsible
 * for: the file fails after its scenarios if one of them went uncovered (scenarios.ts), and
 * execution-coverage.test.ts proves the files together cover every operation of the runbook's contracts.
 * The fake answers a PATCH with the specification's Update example unless a scenario says otherwise; only
 * the contract scenario (execution-fleet-contract.test.ts) serves the List, Get and protected-items
 * examples, and only the async-operation scenario (execution-updates.test.ts) a Location-only answer.
 */
export const EXECUTION_COVERAGE: Readonly<Record<string, CoverageDuty>> = {
  'execution-basics.test.ts': { exercised: EVERY_FILE, examples: [UPDATE] },
  'execution-listing-retries.test.ts': { exercised: EVERY_FILE, examples: [UPDATE] },
  'execution-updates.test.ts': { exercised: [...EVERY_FILE, LOCATION], examples: [UPDATE] },
  'execution-report.test.ts': { exercised: EVERY_FILE, examples: [UPDATE] },
  'execution-fleet-contract.test.ts': { exercised: EVERY_FILE, examples: [LIST, GET, UPDATE, ITEMS] },
};
