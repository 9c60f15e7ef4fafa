import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The two custom Log Analytics tables the runbook's rows go to (issue 26): table, stream and columns with
 * their Log Analytics types, read from test/fixtures/estate-tables.json. That file is the domain's
 * `ESTATE_TABLES` (constructs/domain/visibility.ts) as data, and test/domain/estate-kql.test.ts fails when
 * the two differ, so the rows the runbook sends are checked against what the constructs deploy: there is
 * one source for the columns (the domain), and no copy of them here.
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

export const ESTATE_TABLES_FILE = join(__dirname, '..', 'fixtures', 'estate-tables.json');

const COLUMN_TYPES: readonly ColumnType[] = ['string', 'int', 'long', 'real', 'datetime', 'boolean'];

/** The tables of an estate-tables document; a document of another shape is an error naming what is wrong. */
export function readEstateTables(file = ESTATE_TABLES_FILE): EstateTable[] {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as {
    tables?: { name?: unknown; stream?: unknown; columns?: { name?: unknown; type?: unknown }[] }[];
  };
  if (!Array.isArray(doc.tables) || doc.tables.length === 0) throw new Error(`${file}: no tables`);
  return doc.tables.map((t, i) => {
    if (typeof t.name !== 'string' || typeof t.stream !== 'string' || !Array.isArray(t.columns))
      throw new Error(`${file}: table ${i} needs a name, a stream and columns`);
    return {
      table: t.name,
      stream: t.stream,
      columns: t.columns.map((c) => {
        if (typeof c.name !== 'string' || !COLUMN_TYPES.includes(c.type as ColumnType))
          throw new Error(
            `${file}: ${String(t.name)} has a column ${JSON.stringify(c)} (a name and one of ${COLUMN_TYPES.join(', ')})`,
          );
        return { name: c.name, type: c.type as ColumnType };
      }),
    };
  });
}

export const ESTATE_TABLES: readonly EstateTable[] = readEstateTables();

const byName = (name: string): EstateTable => {
  const table = ESTATE_TABLES.find((t) => t.table === name);
  if (!table) throw new Error(`${ESTATE_TABLES_FILE} declares no table ${name}`);
  return table;
};
export const AGENT_TABLE: EstateTable = byName('AsrMobilityAgent_CL');
export const RUN_TABLE: EstateTable = byName('AsrMobilityRun_CL');

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
