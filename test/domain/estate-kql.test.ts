import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AT_RISK_ALERT_QUERY,
  ESTATE_TABLES,
  ESTATE_WORKBOOK_QUERIES,
  estateWorkbookSerializedData,
  WORKBOOK_FORMAT,
  type EstateColumnType,
  type EstateTable,
} from '../../constructs/domain';

// Microsoft's Kusto language service (Bridge.NET build of Kusto.Language), run offline: it defines
// the global `Kusto` when loaded, bridge first.
/* eslint-disable @typescript-eslint/no-require-imports */
require('@kusto/language-service-next/bridge.min.js');
require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
/* eslint-enable @typescript-eslint/no-require-imports */

interface KustoDiagnostic {
  readonly Severity: string;
  readonly Message: string;
}
interface KustoList<T> {
  readonly Count: number;
  getItem(i: number): T;
}
interface KustoLanguage {
  readonly GlobalState: {
    readonly Default: { WithCluster(c: unknown): { WithDatabase(d: unknown): unknown } };
  };
  readonly KustoCode: {
    ParseAndAnalyze(query: string, globals: unknown): { GetDiagnostics(): KustoList<KustoDiagnostic> };
  };
  readonly Symbols: {
    readonly TableSymbol: {
      readonly $ctor7: new (name: string, schema: string, description: string | null) => unknown;
    };
    readonly DatabaseSymbol: { readonly ctor: new (name: string, members: unknown[]) => unknown };
    readonly ClusterSymbol: { readonly ctor: new (name: string, databases: unknown[]) => unknown };
  };
}
const Kusto = (globalThis as unknown as { Kusto: { Language: KustoLanguage } }).Kusto.Language;

/** A GlobalState whose default database holds the estate's tables, built from the domain's schema. */
function globalsFor(tables: readonly EstateTable[]): unknown {
  const S = Kusto.Symbols;
  const symbols = tables.map(
    (t) =>
      new S.TableSymbol.$ctor7(t.name, `(${t.columns.map((c) => `${c.name}:${c.type}`).join(', ')})`, null),
  );
  const db = new S.DatabaseSymbol.ctor('workspace', symbols);
  return Kusto.GlobalState.Default.WithCluster(new S.ClusterSymbol.ctor('loganalytics', [db])).WithDatabase(
    db,
  );
}
const GLOBALS = globalsFor(ESTATE_TABLES);

/** The errors the language service reports for a query against the estate's tables. */
function errorsOf(query: string): string[] {
  const diagnostics = Kusto.KustoCode.ParseAndAnalyze(query, GLOBALS).GetDiagnostics();
  const out: string[] = [];
  for (let i = 0; i < diagnostics.Count; i++) {
    const d = diagnostics.getItem(i);
    if (d.Severity === 'Error') out.push(d.Message);
  }
  return out;
}

const WORKSPACE =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law';
const workbook = JSON.parse(estateWorkbookSerializedData(WORKSPACE)) as {
  version: string;
  items: { type: number; name: string; content: Record<string, unknown> }[];
  fallbackResourceIds: string[];
};
const queryItems = workbook.items.filter((i) => i.type === WORKBOOK_FORMAT.queryItemType);

describe('the KQL of the workbook and the alert, checked by the Kusto language service', () => {
  it.each([
    ...ESTATE_WORKBOOK_QUERIES.map((q) => [`workbook: ${q.title}`, q.query]),
    ['alert', AT_RISK_ALERT_QUERY],
  ])('%s parses and binds against the declared tables', (_, query) => {
    expect(errorsOf(query)).toEqual([]);
  });

  it('checks every query the workbook JSON holds (not only the table it is built from)', () => {
    expect(queryItems.map((i) => i.content.query)).toEqual(ESTATE_WORKBOOK_QUERIES.map((q) => q.query));
    for (const item of queryItems) expect(errorsOf(String(item.content.query))).toEqual([]);
  });

  it('fails when a query misspells a column', () => {
    const broken = AT_RISK_ALERT_QUERY.replace('where Status in', 'where Stauts in');
    expect(broken).not.toBe(AT_RISK_ALERT_QUERY);
    expect(errorsOf(broken)).toEqual([expect.stringContaining("'Stauts'")]);
  });

  it('fails when a query has a syntax error', () => {
    const broken = ESTATE_WORKBOOK_QUERIES[0]!.query.replace('| summarize', '| summarize by by');
    expect(errorsOf(broken).length).toBeGreaterThan(0);
  });

  it('fails when a query names a column the schema does not declare (the schema is what is checked)', () => {
    const withoutReasons = ESTATE_TABLES.map((t) => ({
      ...t,
      columns: t.columns.filter((c) => c.name !== 'Reasons'),
    }));
    const diagnostics = Kusto.KustoCode.ParseAndAnalyze(
      AT_RISK_ALERT_QUERY,
      globalsFor(withoutReasons),
    ).GetDiagnostics();
    expect(diagnostics.Count).toBeGreaterThan(0);
  });
});

describe('the workbook JSON has the workbook format structure', () => {
  it('has version Notebook/1.0, items, and query items with a workspace data source', () => {
    expect(workbook.version).toBe('Notebook/1.0');
    expect(Array.isArray(workbook.items)).toBe(true);
    expect(queryItems.map((i) => i.name)).toEqual([
      'agents-by-status',
      'machines-at-risk',
      'version-distribution',
      'status-trend',
      'last-run-per-vault',
    ]);
    for (const item of queryItems) {
      expect(item.content).toMatchObject({
        version: 'KqlItem/1.0',
        queryType: 0,
        resourceType: 'microsoft.operationalinsights/workspaces',
        crossComponentResources: [WORKSPACE],
      });
      expect(typeof item.content.title).toBe('string');
    }
    expect(new Set(workbook.items.map((i) => i.name)).size).toBe(workbook.items.length);
    expect(workbook.fallbackResourceIds).toEqual([WORKSPACE]);
  });
});

// ------------------------------------------------------------------------------------------ rows

const KQL_CHECK: Record<EstateColumnType, (v: unknown) => boolean> = {
  datetime: (v) =>
    typeof v === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v) &&
    !Number.isNaN(Date.parse(v)),
  string: (v) => typeof v === 'string',
  int: (v) => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 2 ** 31 - 1,
  real: (v) => typeof v === 'number' && Number.isFinite(v),
};

/** The problems of one row against its table: every column present with its type, nothing else. */
export function rowProblems(table: EstateTable, row: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const names = table.columns.map((c) => c.name);
  for (const k of Object.keys(row))
    if (!names.includes(k)) problems.push(`${k}: not a column of ${table.name}`);
  for (const c of table.columns) {
    if (!(c.name in row)) problems.push(`${c.name}: missing`);
    else if (!KQL_CHECK[c.type](row[c.name]))
      problems.push(`${c.name}: not a ${c.type} (${JSON.stringify(row[c.name])})`);
  }
  return problems;
}

const fixtures = join(__dirname, '..', 'fixtures');
const rows = JSON.parse(readFileSync(join(fixtures, 'ingestion-rows.json'), 'utf8')) as Record<
  string,
  Record<string, unknown>[]
>;

describe('rows against the schemas', () => {
  it.each(ESTATE_TABLES.map((t) => [t.name, t] as const))(
    'the sample %s row has every column with its type',
    (_, table) => {
      expect(rows[table.name]).toHaveLength(1);
      expect(rowProblems(table, rows[table.name]![0]!)).toEqual([]);
    },
  );

  it('fails when a row misses a column, has an extra one or a wrong type', () => {
    const [agent] = ESTATE_TABLES;
    const { Reasons: _r, ...missing } = rows.AsrMobilityAgent_CL![0]!;
    void _r;
    expect(rowProblems(agent, missing)).toEqual(['Reasons: missing']);
    expect(rowProblems(agent, { ...rows.AsrMobilityAgent_CL![0]!, Extra: 1 })).toEqual([
      'Extra: not a column of AsrMobilityAgent_CL',
    ]);
    expect(rowProblems(ESTATE_TABLES[1], { ...rows.AsrMobilityRun_CL![0]!, MappingsListed: 1.5 })).toEqual([
      'MappingsListed: not a int (1.5)',
    ]);
  });
});

/** The schema as data for the PowerShell side (the runbook's tests read test/fixtures/estate-tables.json). */
function tablesDocument(): unknown {
  return {
    description:
      "Generated from ESTATE_TABLES (constructs/domain/visibility.ts) by test/domain/estate-kql.test.ts (ASR_UPDATE_FIXTURES=1 rewrites it): the two custom tables the runbook's rows must match, column types in Kusto's words.",
    tables: ESTATE_TABLES.map((t) => ({
      name: t.name,
      stream: t.stream,
      columns: t.columns.map((c) => ({ name: c.name, type: c.type })),
    })),
  };
}

describe('test/fixtures/estate-tables.json', () => {
  it('is the domain schema, as data', () => {
    const file = join(fixtures, 'estate-tables.json');
    const text = `${JSON.stringify(tablesDocument(), null, 2)}\n`;
    if (process.env.ASR_UPDATE_FIXTURES === '1') writeFileSync(file, text);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});
