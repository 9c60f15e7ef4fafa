/**
 * The two custom Log Analytics tables the runbook's rows go to (issue 26), as the shared interface fixes
 * them: table, stream and columns with their Log Analytics types. This is the one place the runbook
 * suite reads them from; when test/fixtures/estate-tables.json (the constructs' declaration) exists,
 * point ESTATE_TABLES at it so that the rows are checked against what is deployed.
 */
export type ColumnType = 'string' | 'int' | 'long' | 'real' | 'datetime' | 'boolean';

export interface EstateColumn {
  readonly name: string;
  readonly type: ColumnType;
}

export interface EstateTable {
  readonly table: string;
  readonly stream: string;
  readonly columns: readonly EstateColumn[];
}

const col = (name: string, type: ColumnType): EstateColumn => ({ name, type });

export const AGENT_TABLE: EstateTable = {
  table: 'AsrMobilityAgent_CL',
  stream: 'Custom-AsrMobilityAgent_CL',
  columns: [
    col('TimeGenerated', 'datetime'),
    col('RunId', 'string'),
    col('VaultId', 'string'),
    col('Machine', 'string'),
    col('Provider', 'string'),
    col('AgentVersion', 'string'),
    col('ExpiryDate', 'datetime'),
    col('Status', 'string'),
    col('Reasons', 'string'),
  ],
};

export const RUN_TABLE: EstateTable = {
  table: 'AsrMobilityRun_CL',
  stream: 'Custom-AsrMobilityRun_CL',
  columns: [
    col('TimeGenerated', 'datetime'),
    col('RunId', 'string'),
    col('VaultId', 'string'),
    col('MappingsListed', 'int'),
    col('MappingsChanged', 'int'),
    col('MappingsFailed', 'int'),
    col('Outcome', 'string'),
    col('DurationSeconds', 'real'),
  ],
};

export const ESTATE_TABLES: readonly EstateTable[] = [AGENT_TABLE, RUN_TABLE];

/** ISO 8601 in UTC, as the Logs Ingestion API parses a datetime column. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$/;

/** What is wrong with one value for a column of `type` (undefined when it fits). */
function valueProblem(type: ColumnType, value: unknown, nullable: boolean): string | undefined {
  if (value === null) return nullable ? undefined : 'is null';
  switch (type) {
    case 'string':
      return typeof value === 'string' ? undefined : `is ${typeof value}, not a string`;
    case 'int':
      return Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31 - 1
        ? undefined
        : `is ${JSON.stringify(value)}, not a 32-bit integer`;
    case 'long':
      return Number.isInteger(value) ? undefined : `is ${JSON.stringify(value)}, not an integer`;
    case 'real':
      return typeof value === 'number' && Number.isFinite(value)
        ? undefined
        : `is ${JSON.stringify(value)}, not a number`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `is ${JSON.stringify(value)}, not a boolean`;
    case 'datetime':
      return typeof value === 'string' && ISO_UTC.test(value) && !Number.isNaN(Date.parse(value))
        ? undefined
        : `is ${JSON.stringify(value)}, not an ISO 8601 UTC date and time`;
  }
}

/**
 * Problems of one row sent to `stream`: a stream no table declares, a column missing or not declared,
 * a value of the wrong type. TimeGenerated is never null; other datetime columns may be (an unknown
 * expiry date). Strings are never null: an absent text is ''.
 */
export function rowProblems(stream: string, row: unknown): string[] {
  const table = ESTATE_TABLES.find((t) => t.stream === stream);
  if (!table) return [`no table declares stream '${stream}'`];
  if (row === null || typeof row !== 'object' || Array.isArray(row))
    return [`a row is ${JSON.stringify(row)}, not an object`];
  const record = row as Record<string, unknown>;
  const problems: string[] = [];
  const declared = new Set(table.columns.map((c) => c.name));
  for (const key of Object.keys(record))
    if (!declared.has(key)) problems.push(`${table.table}: column '${key}' is not declared`);
  for (const c of table.columns) {
    if (!(c.name in record)) {
      problems.push(`${table.table}: column '${c.name}' is missing`);
      continue;
    }
    const why = valueProblem(c.type, record[c.name], c.type === 'datetime' && c.name !== 'TimeGenerated');
    if (why) problems.push(`${table.table}.${c.name} (${c.type}) ${why}`);
  }
  return problems;
}
