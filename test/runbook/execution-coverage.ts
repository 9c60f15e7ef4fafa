import type { CoverageDuty } from './contract';

const LIST = 'ReplicationProtectionContainerMappings_List@2026-05-01';
const GET = 'ReplicationProtectionContainerMappings_Get@2026-05-01';
const UPDATE = 'ReplicationProtectionContainerMappings_Update@2026-05-01';
const ITEMS = 'ReplicationProtectedItems_List@2026-05-01';
const ASYNC = 'AzureAsyncOperation_Status@2026-05-01';
const LOCATION = 'Location_Result@2026-05-01';
const TOKEN = 'ManagedIdentity_GetToken@2019-08-01';

/**
 * Which contract operations each execution scenario file (test/runbook/execution-*.test.ts) is responsible
 * for: the file fails after its scenarios if one of them went uncovered (scenarios.ts), and
 * execution-coverage.test.ts proves the files together cover every operation of the runbook's contracts.
 */
export const EXECUTION_COVERAGE: Readonly<Record<string, CoverageDuty>> = {
  'execution-basics.test.ts': { exercised: [TOKEN, LIST, UPDATE, GET], examples: [] },
  'execution-listing-retries.test.ts': { exercised: [TOKEN, LIST, UPDATE], examples: [] },
  'execution-updates.test.ts': { exercised: [UPDATE, ASYNC, LOCATION, GET], examples: [] },
  'execution-report.test.ts': { exercised: [ITEMS], examples: [] },
  'execution-fleet-contract.test.ts': {
    exercised: [LIST, GET, UPDATE, ITEMS],
    examples: [LIST, GET, UPDATE, ITEMS],
  },
};
