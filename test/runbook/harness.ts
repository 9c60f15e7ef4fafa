import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pwshEnv, type Pwsh } from './pwsh';

export const RUNBOOK = join(__dirname, '..', '..', 'constructs', 'runbooks', 'Set-AsrMobilityAutoUpdate.ps1');
const BOOTSTRAP = join(__dirname, 'invoke-as-automation.ps1');

/** Job parameters as a job schedule passes them: lower-cased names, string values (a switch as a boolean). */
export type JobParameters = Readonly<Record<string, string | boolean>>;

/** The summary document the runbook writes to the Output stream. */
export interface RunbookSummary {
  schemaVersion: number;
  runbookVersion: string;
  vault: string;
  action: string;
  providers: string[];
  dryRun: boolean;
  outcome: string;
  message: string;
  counts: Record<
    'listed' | 'unchanged' | 'skipped' | 'planned' | 'succeeded' | 'failed' | 'timedOut',
    number
  >;
  mappings: SummaryItem[];
  agents: AgentReport | null;
}

/** One vault's part of a fleet summary (VaultResourceIds). */
export interface VaultSection {
  vault: string;
  outcome: string;
  message: string;
  counts: RunbookSummary['counts'];
  mappings: SummaryItem[];
  agents: AgentReport | null;
  /** Time the vault's reconciliation and report took (schema version 3). */
  durationSeconds?: number;
}

/** The summary of a fleet job (VaultResourceIds): totals, the overall outcome, one section per vault. */
export interface FleetSummary {
  schemaVersion: number;
  runbookVersion: string;
  vaults: string[];
  action: string;
  providers: string[];
  dryRun: boolean;
  outcome: string;
  message: string;
  vaultOutcomes: Record<string, number>;
  counts: RunbookSummary['counts'];
  agentCounts: Record<string, number>;
  sections: VaultSection[];
}

/** The summary's agent report (schema version 2). */
export interface AgentReport {
  state: 'Complete' | 'Skipped' | 'NotRead' | 'Failed' | 'TimedOut';
  reportTime: string;
  expiringWithinDays: number;
  protectedItems: number;
  otherProviders: number;
  machinesListed: number;
  truncated: boolean;
  needAttention: number;
  counts: Record<string, number>;
  message: string | null;
  machines: AgentMachine[];
}
export interface AgentMachine {
  name: string;
  id: string;
  provider: 'A2A' | 'InMageRcm';
  agentVersion: string | null;
  status: string;
  reasons: string[];
  facts: Record<string, unknown>;
}
export interface SummaryItem {
  id: string;
  provider: string | null;
  state: string | null;
  before: Record<string, unknown> | null;
  desired: Record<string, unknown> | null;
  result: string;
  reason: string | null;
  operationStatus: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  requestId: string | null;
  attempts: number;
}

interface StreamRecord {
  run: number | string;
  stream: 'Output' | 'Error' | 'Warning' | 'Verbose' | 'Debug' | 'Information' | 'End';
  type?: string;
  text: string | null;
  failed?: boolean;
  ms?: number;
}

/** One invocation of the runbook, its streams kept apart. */
export interface RunResult {
  /** Every Output-stream record, as text. */
  readonly output: string[];
  readonly outputTypes: string[];
  readonly verbose: string[];
  readonly warnings: string[];
  readonly errors: string[];
  /** True when the runbook threw (the Automation job would end Failed). */
  readonly threw: boolean;
  readonly thrown: string | null;
  /** The one summary document (undefined when the Output stream is not exactly one JSON document). */
  readonly summary: RunbookSummary;
  /** Time the runbook itself ran, inside pwsh (ms). */
  readonly ms: number;
}

export interface ProcessResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time of the whole pwsh process (ms). */
  readonly wallMs: number;
}

// At most two pwsh processes at once: the machine has two cores, shared.
const MAX_PARALLEL = 2;
let running = 0;
const waiting: (() => void)[] = [];
async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_PARALLEL) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** The child's environment: nothing of this machine's identity or proxies, plus what the scenario sets. */
function childEnv(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(IDENTITY_|MSI_|IMDS_|AZURE_|ARM_)|^(https?|all|no)_proxy$/i.test(k)) continue;
    env[k] = v;
  }
  return pwshEnv({ ...env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost', ...extra });
}

/** Spawns pwsh with arguments; resolves when it exits. */
export function spawnPwsh(
  pwsh: Pwsh,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  timeoutMs = 55_000,
): Promise<ProcessResult> {
  return slot(
    () =>
      new Promise<ProcessResult>((resolve, reject) => {
        const t0 = process.hrtime.bigint();
        const child = spawn(pwsh.command, [...pwsh.prefixArgs, '-NoProfile', '-NonInteractive', ...args], {
          env: childEnv(env),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (c: Buffer) => out.push(c));
        child.stderr.on('data', (c: Buffer) => err.push(c));
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        child.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({
            exitCode: code,
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(err).toString('utf8'),
            wallMs: Number(process.hrtime.bigint() - t0) / 1e6,
          });
        });
      }),
  );
}

interface Batch {
  readonly records: Map<string, StreamRecord[]>;
  readonly done: (error?: Error) => void;
}

/** One warm pwsh that runs jobs from stdin (invoke-as-automation.ps1 -Serve). */
class Worker {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private readonly pending = new Map<string, Batch>();
  readonly ready: Promise<void>;
  stderr = '';
  exited = false;

  constructor(pwsh: Pwsh) {
    this.child = spawn(
      pwsh.command,
      [
        ...pwsh.prefixArgs,
        '-NoProfile',
        '-NonInteractive',
        '-File',
        BOOTSTRAP,
        '-Runbook',
        RUNBOOK,
        '-Serve',
      ],
      { env: childEnv({}), stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let markReady: () => void = () => undefined;
    let failReady: (e: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    this.child.stderr.on('data', (c: Buffer) => (this.stderr += c.toString('utf8')));
    this.child.stdout.on('data', (c: Buffer) => {
      this.buffer += c.toString('utf8');
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl).trim();
        this.buffer = this.buffer.slice(nl + 1);
        if (!line) continue;
        let rec: StreamRecord | { stream: 'Ready' };
        try {
          rec = JSON.parse(line) as StreamRecord | { stream: 'Ready' };
        } catch {
          this.fail(new Error(`pwsh wrote a line that is not a stream record: ${line.slice(0, 200)}`));
          continue;
        }
        if (rec.stream === 'Ready') {
          markReady();
          continue;
        }
        const id = String((rec as StreamRecord).run);
        for (const batch of this.pending.values()) {
          const list = batch.records.get(id);
          if (!list) continue;
          list.push(rec as StreamRecord);
          if (
            rec.stream === 'End' &&
            [...batch.records.values()].every((l) => l.some((r) => r.stream === 'End'))
          )
            batch.done();
        }
      }
    });
    this.child.on('error', (e) => {
      failReady(e);
      this.fail(e);
    });
    this.child.on('close', (code) => {
      this.exited = true;
      const e = new Error(`pwsh worker exited (${code}): ${this.stderr.slice(-2000)}`);
      failReady(e);
      this.fail(e);
    });
  }

  private fail(e: Error): void {
    for (const b of this.pending.values()) b.done(e);
    this.pending.clear();
  }

  async run(
    runs: readonly JobParameters[],
    env: Readonly<Record<string, string>>,
  ): Promise<StreamRecord[][]> {
    await this.ready;
    const ids = runs.map(() => randomUUID());
    const records = new Map(ids.map((id) => [id, [] as StreamRecord[]]));
    const batchId = randomUUID();
    await new Promise<void>((resolve, reject) => {
      this.pending.set(batchId, { records, done: (e) => (e ? reject(e) : resolve()) });
      for (let i = 0; i < runs.length; i++)
        this.child.stdin.write(`${JSON.stringify({ id: ids[i], parameters: runs[i], environment: env })}\n`);
    });
    this.pending.delete(batchId);
    return ids.map((id) => records.get(id)!);
  }

  close(): void {
    if (this.exited) return;
    this.child.stdin.end();
    // A worker still busy (a test that timed out) is stopped rather than waited for.
    if (this.pending.size > 0) this.child.kill('SIGKILL');
  }
}

const workers: Worker[] = [];
const idle: Worker[] = [];

/** Stops the warm pwsh workers (call in afterAll). */
export function closeWorkers(): void {
  for (const w of workers.splice(0)) w.close();
  idle.splice(0);
}

/** What every worker wrote to stderr so far. */
export function workerStderr(): string {
  return workers.map((w) => w.stderr).join('\n');
}

function toResult(mine: StreamRecord[]): RunResult {
  const end = mine.find((r) => r.stream === 'End')!;
  const texts = (s: StreamRecord['stream']) => mine.filter((r) => r.stream === s).map((r) => r.text ?? '');
  const output = texts('Output');
  let summary: RunbookSummary | undefined;
  if (output.length === 1) {
    try {
      summary = JSON.parse(output[0]!) as RunbookSummary;
    } catch {
      summary = undefined;
    }
  }
  return {
    output,
    outputTypes: mine.filter((r) => r.stream === 'Output').map((r) => r.type ?? ''),
    verbose: texts('Verbose'),
    warnings: texts('Warning'),
    errors: texts('Error'),
    threw: end.failed === true,
    thrown: end.text,
    summary: summary as RunbookSummary,
    ms: end.ms ?? 0,
  };
}

/**
 * Runs the shipped runbook once per parameter set, in order, bound by name the way Automation binds
 * job parameters; `env` is the job's environment (the identity endpoint). The runs go to a warm pwsh
 * worker (two at most), so pwsh starts twice per test file, not once per scenario.
 */
export async function runRunbook(
  pwsh: Pwsh,
  runs: readonly JobParameters[],
  env: Readonly<Record<string, string>>,
): Promise<{ runs: RunResult[]; process: ProcessResult }> {
  return slot(async () => {
    let worker = idle.pop();
    if (!worker || worker.exited) {
      worker = new Worker(pwsh);
      workers.push(worker);
    }
    const t0 = process.hrtime.bigint();
    const errBefore = worker.stderr.length;
    try {
      const records = await worker.run(runs, env);
      return {
        runs: records.map(toResult),
        process: {
          exitCode: null,
          stdout: records
            .flat()
            .map((r) => JSON.stringify(r))
            .join('\n'),
          stderr: worker.stderr.slice(errBefore),
          wallMs: Number(process.hrtime.bigint() - t0) / 1e6,
        },
      };
    } finally {
      if (!worker.exited) idle.push(worker);
    }
  });
}

/**
 * Runs the runbook in a pwsh of its own (-ParameterFile), start to exit: for the benchmark, and for a
 * modified copy of the runbook (`runbook`, default the shipped one).
 */
export async function runRunbookProcess(
  pwsh: Pwsh,
  runs: readonly JobParameters[],
  env: Readonly<Record<string, string>>,
  runbook: string = RUNBOOK,
): Promise<{ runs: RunResult[]; process: ProcessResult }> {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-'));
  const file = join(dir, 'parameters.json');
  writeFileSync(file, JSON.stringify(runs));
  try {
    const proc = await spawnPwsh(
      pwsh,
      ['-File', BOOTSTRAP, '-Runbook', runbook, '-ParameterFile', file],
      env,
      600_000,
    );
    const records = proc.stdout
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as StreamRecord);
    return { runs: runs.map((_, i) => toResult(records.filter((r) => r.run === i))), process: proc };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every text a run produced, in all streams and the raw process output. */
export function everything(result: { runs: RunResult[]; process: ProcessResult }): string {
  return [
    result.process.stdout,
    result.process.stderr,
    ...result.runs.flatMap((r) => [...r.output, ...r.verbose, ...r.warnings, ...r.errors, r.thrown ?? '']),
  ].join('\n');
}
