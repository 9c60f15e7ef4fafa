import { createHash } from 'node:crypto';
import { getClientTokenOutput } from '@pulumi/azure-native/authorization/getClientToken';
import * as pulumi from '@pulumi/pulumi';

// Publishes a runbook's script through Azure Resource Manager, as azurerm does for inline `content`:
// PUT the draft content (text/powershell), POST publish, and follow each 202 to its end. It needs no
// storage account: azure-native's `automation.Runbook` only takes `publishContentLink`, and hosting
// the script for that link meets the common deny assignments on storage (see docs/runbook-publishing.md).
//
// The resource is a Pulumi dynamic resource. Pulumi serializes the provider below into the state and
// runs it in its own process, so the provider's functions use globals only (fetch, URL, setTimeout):
// no imports, no captured values. The token comes in as a secret input (by default the deployer's
// own, from azure-native's `getClientToken`); it is sent to ARM's origin only and never written to
// outputs, errors or logs.

// The provider's functions use module-private constants only: compiled to CommonJS, a reference to
// an exported one reads `exports.X`, and the serializer would then capture the whole module.
const API_VERSION = '2024-10-23';

/**
 * The Automation api-version of the draft and publish routes: the one azure-native 3.x's `Runbook`
 * uses (2024-10-23, the first with runtime environments); 2023-11-01 has the same routes.
 */
export const RUNBOOK_CONTENT_API_VERSION = API_VERSION;

/** Azure public cloud's Resource Manager. */
export const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';

/** The inputs the provider works from (what Pulumi stores; `accessToken` only as a secret). */
export interface RunbookContentInputs {
  /** The runbook's ARM id: `/subscriptions/.../automationAccounts/{a}/runbooks/{r}`. */
  readonly runbookId: string;
  /** The script, as published. */
  readonly content: string;
  /** Upper-case hex SHA-256 of `content`: the diff key. */
  readonly contentSha256: string;
  /** Anything else whose change must republish (for example a hash of the runbook's own inputs). */
  readonly republishKey: string;
  /** A bearer token for `armEndpoint`. Secret; ignored by the diff. */
  readonly accessToken: string;
  /** Resource Manager's origin. */
  readonly armEndpoint: string;
  /** How long one publish may take in all, polling included. */
  readonly deadlineInSeconds: number;
  /** The wait between status reads when ARM sends no `Retry-After`; also the cap on `Retry-After`. */
  readonly pollIntervalInSeconds: number;
  /** Retries of a request answered 429 or 5xx (and of a connection that failed), per request. */
  readonly maxRetries: number;
}

/** What the resource records: no token, no content. */
export interface RunbookContentOutputs {
  readonly runbookId: string;
  readonly contentSha256: string;
  readonly republishKey: string;
  readonly apiVersion: string;
  /** How many requests the last publish took (draft, publish, status reads, retries). */
  readonly requestCount: number;
}

/** A check failure, as Pulumi's dynamic provider reports it. */
interface CheckFailure {
  readonly property: string;
  readonly reason: string;
}

// --- The provider. Everything below up to `runbookContentProvider` is serialized with it. ---

/** The placeholder Pulumi's engine passes for a value not known yet (a preview of a new runbook). */
const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';
const RUNBOOK_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Automation\/automationAccounts\/[^/]+\/runbooks\/[A-Za-z][A-Za-z0-9_-]*$/i;

function checkInputs(news: Record<string, unknown>): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const id = news.runbookId;
  if (id !== UNKNOWN && (typeof id !== 'string' || !RUNBOOK_ID.test(id))) {
    failures.push({
      property: 'runbookId',
      reason: `must be a runbook's ARM id (/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.Automation/automationAccounts/{a}/runbooks/{r}), got ${JSON.stringify(id)}`,
    });
  }
  if (typeof news.content !== 'string' || news.content.length === 0) {
    failures.push({ property: 'content', reason: 'must be the non-empty script' });
  }
  const sha = news.contentSha256;
  if (typeof sha !== 'string' || !/^[0-9A-F]{64}$/.test(sha)) {
    failures.push({
      property: 'contentSha256',
      reason: `must be 64 upper-case hex digits, got ${JSON.stringify(sha)}`,
    });
  }
  const endpoint = news.armEndpoint;
  if (typeof endpoint !== 'string' || !/^(https:\/\/[^/?#]+|http:\/\/127\.0\.0\.1:\d+)$/.test(endpoint)) {
    failures.push({
      property: 'armEndpoint',
      reason: `must be an https origin without a path (http only on 127.0.0.1), got ${JSON.stringify(endpoint)}`,
    });
  }
  for (const [prop, min, max] of [
    ['deadlineInSeconds', 1, 3600],
    ['pollIntervalInSeconds', 0, 300],
    ['maxRetries', 0, 10],
  ] as const) {
    const v = news[prop];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      failures.push({
        property: prop,
        reason: `must be a number from ${min} to ${max}, got ${JSON.stringify(v)}`,
      });
    }
  }
  return failures;
}

/** A short, token-free account of an ARM error body: `Code: message`, or the start of the text. */
function armErrorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as {
      error?: { code?: unknown; message?: unknown };
      code?: unknown;
      message?: unknown;
    };
    const e = parsed.error ?? parsed;
    if (e && (typeof e.code === 'string' || typeof e.message === 'string')) {
      return `${String(e.code ?? 'Error')}: ${String(e.message ?? '')}`.trim();
    }
  } catch {
    // Not JSON: fall through to the text.
  }
  const text = body.replace(/\s+/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 300)}...` : text || '(empty body)';
}

/**
 * Seconds to wait from a `Retry-After` header (delta-seconds only): `fallback` when absent, never
 * more than `cap`, and never less than `min(1, cap)`, so a `Retry-After: 0` cannot make a busy loop.
 */
function retryAfterSeconds(header: string | null, fallback: number, cap: number): number {
  const n = header === null ? NaN : Number(header);
  const asked = Number.isFinite(n) && n >= 0 ? n : fallback;
  return Math.max(Math.min(asked, cap), Math.min(1, cap));
}

interface Session {
  readonly inputs: RunbookContentInputs;
  readonly origin: string;
  readonly deadline: number;
  requests: number;
}

/** What an operation answered, without its token. */
interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

async function send(
  s: Session,
  what: string,
  method: string,
  url: string,
  body?: string,
  contentType?: string,
): Promise<Answer> {
  const target = new URL(url);
  if (target.origin !== s.origin) {
    // Never hand the deployer's token to another host, whatever a Location header says.
    throw new Error(`${what}: refusing to follow ${target.origin} (only ${s.origin} gets the token)`);
  }
  const display = `${method} ${target.pathname}`;
  for (let attempt = 0; ; attempt++) {
    const left = s.deadline - Date.now();
    if (left <= 0) {
      throw new Error(`${what}: no answer within ${s.inputs.deadlineInSeconds} s (${display})`);
    }
    s.requests++;
    let answer: Answer | undefined;
    let failure: string | undefined;
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${s.inputs.accessToken}` };
      if (contentType !== undefined) headers['content-type'] = contentType;
      const response = await fetch(target, {
        method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(Math.min(left, 120_000)),
      });
      answer = { status: response.status, headers: response.headers, body: await response.text() };
    } catch (e) {
      failure = e instanceof Error ? e.name + (e.message ? `: ${e.message}` : '') : String(e);
    }
    const retriable = answer === undefined || answer.status === 429 || answer.status >= 500;
    if (!retriable) return answer!;
    if (attempt >= s.inputs.maxRetries) {
      const why = answer
        ? `answered ${answer.status} ${armErrorText(answer.body)}${requestIdText(answer)}`
        : `failed (${failure})`;
      throw new Error(`${what}: ${display} ${why}, after ${attempt + 1} attempt(s)`);
    }
    const waitSeconds = retryAfterSeconds(
      answer?.headers.get('retry-after') ?? null,
      s.inputs.pollIntervalInSeconds,
      s.inputs.pollIntervalInSeconds,
    );
    await new Promise((r) => setTimeout(r, waitSeconds * 1000));
  }
}

/** The `status` of an Azure-AsyncOperation body, or '' when there is none. */
function operationStatus(body: string): string {
  try {
    return String((JSON.parse(body) as { status?: unknown }).status ?? '');
  } catch {
    return '';
  }
}

function requestIdText(a: Answer): string {
  const id = a.headers.get('x-ms-request-id');
  return id ? ` (x-ms-request-id ${id})` : '';
}

/**
 * Follows a 202 to its end: `Azure-AsyncOperation` (a status body: Succeeded, Failed, Canceled, or
 * still running) when ARM sends one, else `Location` (202 while running, 200/204 when done).
 */
async function awaitOperation(s: Session, what: string, accepted: Answer): Promise<void> {
  const asyncUrl = accepted.headers.get('azure-asyncoperation');
  const locationUrl = accepted.headers.get('location');
  const url = asyncUrl ?? locationUrl;
  if (url === null) return; // 202 without a way to follow it: ARM accepted it; nothing to wait on.
  let wait = retryAfterSeconds(
    accepted.headers.get('retry-after'),
    s.inputs.pollIntervalInSeconds,
    s.inputs.pollIntervalInSeconds,
  );
  for (;;) {
    if (Date.now() + wait * 1000 >= s.deadline) {
      throw new Error(
        `${what}: still running after ${s.inputs.deadlineInSeconds} s (${new URL(url).pathname})`,
      );
    }
    await new Promise((r) => setTimeout(r, wait * 1000));
    const a = await send(s, what, 'GET', url);
    if (a.status >= 400) {
      throw new Error(
        `${what}: the operation answered ${a.status} ${armErrorText(a.body)}${requestIdText(a)}`,
      );
    }
    if (asyncUrl !== null) {
      const status = operationStatus(a.body);
      if (/^succeeded$/i.test(status)) return;
      if (/^(failed|canceled|cancelled)$/i.test(status)) {
        throw new Error(`${what}: the operation ended ${status}: ${armErrorText(a.body)}${requestIdText(a)}`);
      }
    } else if (a.status !== 202) {
      return;
    }
    wait = retryAfterSeconds(
      a.headers.get('retry-after'),
      s.inputs.pollIntervalInSeconds,
      s.inputs.pollIntervalInSeconds,
    );
  }
}

/** Replaces the draft with the content, publishes it, and waits for both. Returns the outputs. */
async function publish(inputs: RunbookContentInputs): Promise<RunbookContentOutputs> {
  const failures = checkInputs(inputs as unknown as Record<string, unknown>);
  if (failures.length > 0) {
    throw new Error(`runbook content: ${failures.map((f) => `${f.property} ${f.reason}`).join('; ')}`);
  }
  const s: Session = {
    inputs,
    origin: new URL(inputs.armEndpoint).origin,
    deadline: Date.now() + inputs.deadlineInSeconds * 1000,
    requests: 0,
  };
  const base = `${inputs.armEndpoint}${inputs.runbookId}`;
  const query = `?api-version=${API_VERSION}`;
  const runbookName = inputs.runbookId.slice(inputs.runbookId.lastIndexOf('/') + 1);

  const draftWhat = `replacing the draft of runbook ${runbookName}`;
  const draft = await send(
    s,
    draftWhat,
    'PUT',
    `${base}/draft/content${query}`,
    inputs.content,
    'text/powershell',
  );
  if (draft.status !== 200 && draft.status !== 201 && draft.status !== 202) {
    throw new Error(
      `${draftWhat}: PUT .../draft/content answered ${draft.status} ${armErrorText(draft.body)}${requestIdText(draft)}`,
    );
  }
  if (draft.status === 202) await awaitOperation(s, draftWhat, draft);

  const publishWhat = `publishing runbook ${runbookName}`;
  const published = await send(s, publishWhat, 'POST', `${base}/publish${query}`, '');
  if (published.status !== 200 && published.status !== 202 && published.status !== 204) {
    throw new Error(
      `${publishWhat}: POST .../publish answered ${published.status} ${armErrorText(published.body)}${requestIdText(published)}`,
    );
  }
  if (published.status === 202) await awaitOperation(s, publishWhat, published);

  return {
    runbookId: inputs.runbookId,
    contentSha256: inputs.contentSha256,
    republishKey: inputs.republishKey,
    apiVersion: API_VERSION,
    requestCount: s.requests,
  };
}

/**
 * The dynamic provider. `diff` compares the content hash, the republish key and the runbook id only:
 * a fresh token on every run is not a change. `delete` does nothing: the content goes with its
 * runbook, which the `automation.Runbook` resource owns. `read` keeps the recorded state.
 */
export const runbookContentProvider = {
  async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
    return { inputs: news, failures: checkInputs(news) };
  },
  async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    const replaces = olds.runbookId !== news.runbookId ? ['runbookId'] : [];
    const changes =
      replaces.length > 0 ||
      olds.contentSha256 !== news.contentSha256 ||
      olds.republishKey !== news.republishKey;
    return { changes, replaces, deleteBeforeReplace: false };
  },
  async create(inputs: Record<string, unknown>) {
    const outs = await publish(inputs as unknown as RunbookContentInputs);
    return { id: `${outs.runbookId}/content`, outs };
  },
  async update(_id: string, _olds: Record<string, unknown>, news: Record<string, unknown>) {
    return { outs: await publish(news as unknown as RunbookContentInputs) };
  },
  async delete() {
    // The runbook (and so its content) belongs to the automation.Runbook resource.
  },
  async read(id: string, props: Record<string, unknown>) {
    return { id, props };
  },
};

// --- The resource. ---

/** A JSON value the republish key is computed from. */
export type RepublishKeyValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly RepublishKeyValue[]
  | { readonly [key: string]: RepublishKeyValue };

function canonical(value: RepublishKeyValue): unknown {
  if (Array.isArray(value)) return value.map((v: RepublishKeyValue) => canonical(v));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, RepublishKeyValue>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

/**
 * A republish key from the runbook resource's own (literal) inputs: upper-case hex SHA-256 of their
 * canonical JSON (keys sorted, undefined left out). When any of them changes, azure-native PUTs the
 * runbook; the key changes with it, so the content is published again after that PUT.
 */
export function republishKeyOf(values: { readonly [key: string]: RepublishKeyValue }): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(values)), 'utf8')
    .digest('hex')
    .toUpperCase();
}

/** Arguments of {@link RunbookContent}. */
export interface RunbookContentArgs {
  /** The runbook's ARM id (the `automation.Runbook` resource's `id`). */
  readonly runbookId: pulumi.Input<string>;
  /** The script to publish. */
  readonly content: string;
  /** Upper-case hex SHA-256 of `content` (the runbook asset's). */
  readonly contentSha256: string;
  /**
   * Anything else whose change must republish, for example a hash of the runbook's inputs: a PUT
   * of the runbook resource is then always followed by a publish of the same content.
   * @default '' (only the content and the runbook id republish)
   */
  readonly republishKey?: pulumi.Input<string>;
  /**
   * A bearer token for Resource Manager, made secret here.
   * @default the deployer's own, from azure-native's `authorization.getClientToken` (so the same
   * credentials as the azure-native provider: CLI, service principal, OIDC or managed identity)
   */
  readonly accessToken?: pulumi.Input<string>;
  /**
   * Resource Manager's origin (internal: a sovereign cloud, or a fake on loopback in tests).
   * @default 'https://management.azure.com'
   */
  readonly armEndpoint?: string;
  /**
   * How long one publish may take, polling included, in seconds (1-3600).
   * @default 600
   */
  readonly deadlineInSeconds?: number;
  /**
   * The wait between status reads without `Retry-After`, and the cap on `Retry-After`, in seconds (0-300).
   * @default 5
   */
  readonly pollIntervalInSeconds?: number;
  /**
   * Retries of a request answered 429 or 5xx, or whose connection failed (0-10).
   * @default 3
   */
  readonly maxRetries?: number;
}

/**
 * The published content of one runbook, put as its draft and published through Resource Manager
 * with the deployer's credentials. Create the `automation.Runbook` without `publishContentLink` and
 * pass its id here.
 */
export class RunbookContent extends pulumi.dynamic.Resource {
  declare readonly runbookId: pulumi.Output<string>;
  declare readonly contentSha256: pulumi.Output<string>;
  declare readonly republishKey: pulumi.Output<string>;
  declare readonly apiVersion: pulumi.Output<string>;
  declare readonly requestCount: pulumi.Output<number>;

  constructor(name: string, args: RunbookContentArgs, opts?: pulumi.CustomResourceOptions) {
    const token =
      args.accessToken ?? getClientTokenOutput({}, opts?.parent ? { parent: opts.parent } : undefined).token;
    super(
      runbookContentProvider,
      name,
      {
        runbookId: args.runbookId,
        content: args.content,
        contentSha256: args.contentSha256,
        republishKey: args.republishKey ?? '',
        accessToken: pulumi.secret(token),
        armEndpoint: args.armEndpoint ?? DEFAULT_ARM_ENDPOINT,
        deadlineInSeconds: args.deadlineInSeconds ?? 600,
        pollIntervalInSeconds: args.pollIntervalInSeconds ?? 5,
        maxRetries: args.maxRetries ?? 3,
        apiVersion: undefined,
        requestCount: undefined,
      },
      { ...opts, additionalSecretOutputs: ['accessToken'] },
      'asr-mobility-autoupdate',
      'RunbookContent',
    );
  }
}
