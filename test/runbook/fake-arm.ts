import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ContractEnforcer } from './contract';
import { actionFor, allows, authorizationFailed, RUNBOOK_ROLE_ACTIONS, type RolePermissions } from './rbac';

/**
 * A fake Azure Resource Manager for the Site Recovery routes the runbook uses, plus a fake
 * managed-identity endpoint and a "foreign" host, each on its own loopback port (127.0.0.1, port 0).
 *
 * It behaves like ARM where a runbook could otherwise get away with a bug: a request without a valid
 * bearer token gets 401, a request without `api-version` gets 400, paths are case-insensitive,
 * headers use ARM's casing (`Azure-AsyncOperation`, `Location`, `Retry-After`, `x-ms-request-id`),
 * lists are paged with `nextLink`, PATCH answers 202 and is followed through an operation, and an A2A
 * PATCH without `automationAccountAuthenticationType` falls back to `RunAsAccount`, as the service
 * does. Every request is recorded; the request count and body size are bounded.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Mapping {
  id: string;
  name: string;
  type: string;
  properties: {
    state?: string;
    healthErrorDetails?: JsonObject[];
    providerSpecificDetails?: JsonObject;
    [key: string]: Json | undefined;
  };
}

/** One request as the server saw it. */
export interface Recorded {
  /** Which fake saw it: ARM, the identity endpoint, a foreign host, or the Logs Ingestion endpoint (fake-ingestion.ts). */
  readonly server: 'arm' | 'identity' | 'foreign' | 'ingestion';
  readonly seq: number;
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** ms since the server started. */
  readonly at: number;
  /** Filled in when the response was sent. */
  status?: number;
  replyHeaders?: Record<string, string>;
}

/** A scripted answer. `body` objects are sent as JSON; strings are sent as given. */
export interface Reply {
  /**
   * 0: never answer (the connection stays open until the client gives up or the server closes);
   * -1: drop the connection without an answer.
   */
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Json | string;
}

/** How a PATCH of one mapping ends. */
export type PatchPlan =
  | { readonly mode: 'sync' }
  | {
      readonly mode: 'async';
      /** Which operation headers the 202 carries. */
      readonly via: 'both' | 'azure-async' | 'location' | 'none';
      /** How many status reads answer "in progress" first. */
      readonly polls: number;
      /** The operation's final status (Azure-AsyncOperation); `InProgress` forever when never. */
      readonly status: string;
      /** Statuses to report, in order, while in progress (default InProgress). */
      readonly progress?: readonly string[];
    };

export interface FakeArmOptions {
  readonly vaultId: string;
  /** More vaults this ARM serves (a fleet run); each lists the mappings and protected items under its id. */
  readonly otherVaults?: readonly string[];
  readonly mappings: Mapping[];
  /** Replication protected items (any vault), served by `{vault}/replicationProtectedItems`; default none. */
  readonly protectedItems?: readonly JsonObject[];
  /** Protected items per page; default 100. */
  readonly protectedItemPageSize?: number;
  /** Mappings per page of the list; default 100. */
  readonly pageSize?: number;
  /** Explicit pages (ids), overriding pageSize: lets a scenario serve an empty page in the middle. */
  readonly pages?: readonly (readonly string[])[];
  /** How a PATCH resolves, per mapping; default async through both headers, one poll, Succeeded. */
  readonly patchPlan?: (mapping: Mapping) => PatchPlan;
  /** Headers sent with every 202 and in-progress status, to say when to poll again. */
  readonly pollHeaders?: Readonly<Record<string, string>>;
  /** Called first for every ARM request; a reply here replaces the default behaviour. */
  readonly hook?: (req: Recorded, arm: FakeArm) => Reply | undefined;
  /** Delay before every ARM answer, so overlapping requests are visible. */
  readonly latencyMs?: number;
  /** Lifetime of issued tokens in seconds (`expires_on` = now + this); default 3600. */
  readonly tokenLifetimeSeconds?: number;
  /** Requests accepted in all, across the three listeners; more fail the test. Default 5000. */
  readonly maxRequests?: number;
  /** Largest request body accepted; default 64 KiB. */
  readonly maxBodyBytes?: number;
  /** Azure Resource Graph (`POST /providers/Microsoft.ResourceGraph/resources`): the vaults it knows. */
  readonly resourceGraph?: ResourceGraphOptions;
  /** Delay before one ARM answer (overrides latencyMs for that request when it returns a number). */
  readonly latencyFor?: (req: Recorded) => number | undefined;
  /** Extra headers on every ARM answer (ARM's throttling headers, for example). */
  readonly extraHeaders?: (req: Recorded, reply: Reply) => Readonly<Record<string, string>> | undefined;
  /** An async operation stays InProgress at least this long after its PATCH (ms); default 0. */
  readonly operationMs?: number;
  /**
   * The role the runbook's identity holds: every ARM request whose action (rbac.ts `actionFor`) it
   * does not allow is answered 403 `AuthorizationFailed`, before any hook or route, and Resource
   * Graph returns only the vaults it can read. Default: the custom role the library deploys at a
   * discovery scope (`RUNBOOK_ROLE_ACTIONS`), so every scenario runs under it.
   */
  readonly role?: RolePermissions;
}

/** The object id of the runbook's identity, as named in the fake's 403 answers. */
export const RUNBOOK_PRINCIPAL_ID = '5e1f0c2a-7b3d-4e8f-9a6b-1c2d3e4f5a6b';

/** One ARM authorization decision the fake made. */
export interface Authorization {
  readonly method: string;
  readonly path: string;
  /** The action the request needs; undefined for Resource Graph's query (authorized per row). */
  readonly action: string | undefined;
  readonly allowed: boolean;
}

/** A vault as Resource Graph returns it. */
export interface GraphVault {
  readonly id: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** Management groups the vault's subscription sits under. */
  readonly managementGroups?: readonly string[];
}
export interface ResourceGraphOptions {
  readonly vaults: readonly GraphVault[];
  /** Rows per page before `$skipToken` (the caller's `$top` may lower it); default 1000. */
  readonly pageSize?: number;
}

interface Operation {
  readonly id: string;
  readonly mappingKey: string;
  readonly plan: Extract<PatchPlan, { mode: 'async' }>;
  readonly input: JsonObject;
  reads: number;
  finished: boolean;
  readonly startedAt?: number;
}

export const IDENTITY_SECRET = `identity-header-${randomUUID()}`;
const API_VERSION_REQUIRED = 'MissingApiVersionParameter';

const armError = (code: string, message: string): JsonObject => ({ error: { code, message } });

export class FakeArm {
  readonly requests: Recorded[] = [];
  /** Tokens issued by the identity endpoint, in order. */
  readonly issuedTokens: string[] = [];
  /** The `resource` (audience) each issued token was asked for. */
  readonly tokenAudience = new Map<string, string>();
  /** Tokens ARM accepts; a scenario may revoke one to force a 401. */
  readonly validTokens = new Set<string>();
  /** When each token expires (epoch seconds): ARM refuses it afterwards. */
  private readonly tokenExpiry = new Map<string, number>();
  /** Problems the server found in how it was used (the test fails on any). */
  readonly violations: string[] = [];
  readonly mappings = new Map<string, Mapping>();
  /** Called first for every ARM request (see FakeArmOptions.hook); a scenario may replace it. */
  hook: FakeArmOptions['hook'];
  /** TCP connections opened to the ARM listener (keep-alive reuse shows as fewer connections than requests). */
  armConnections = 0;
  inFlight = 0;
  peakInFlight = 0;
  /** Operations between the PATCH and their final status (or the PATCH's 200). */
  openOperations = new Set<string>();
  peakOpenOperations = 0;
  /** Microsoft's contract, enforced on every request and response (contract.ts); violations land in `violations`. */
  readonly contract = new ContractEnforcer((v) => this.violations.push(v));
  /** Resource Graph queries, in order, as parsed (scope, tag filter, page). */
  readonly graphQueries: { scope: string[]; tag?: [string, string | undefined]; skipToken?: string }[] = [];
  /** The role enforced on ARM requests (FakeArmOptions.role). */
  readonly role: RolePermissions;
  /** Every authenticated ARM request's authorization decision, in order (403s included). */
  readonly authorizations: Authorization[] = [];

  private readonly servers: Server[] = [];
  private readonly ports = { arm: 0, identity: 0, foreign: 0 };
  private readonly operations = new Map<string, Operation>();
  private readonly started = Date.now();
  private seq = 0;
  private readonly order: string[];

  constructor(readonly options: FakeArmOptions) {
    for (const m of options.mappings) this.mappings.set(m.id.toLowerCase(), m);
    this.hook = options.hook;
    this.role = options.role ?? { actions: RUNBOOK_ROLE_ACTIONS };
    this.order = options.mappings.map((m) => m.id.toLowerCase());
  }

  get armEndpoint(): string {
    return `http://127.0.0.1:${this.ports.arm}`;
  }
  get identityEndpoint(): string {
    return `http://127.0.0.1:${this.ports.identity}/msi/token`;
  }
  get foreignEndpoint(): string {
    return `http://127.0.0.1:${this.ports.foreign}`;
  }
  /** The environment Automation gives a job with a system-assigned identity. */
  get identityEnv(): Record<string, string> {
    return { IDENTITY_ENDPOINT: this.identityEndpoint, IDENTITY_HEADER: IDENTITY_SECRET };
  }

  async start(): Promise<this> {
    for (const name of ['arm', 'identity', 'foreign'] as const) {
      const server = createServer((req, res) => this.receive(name, req, res));
      if (name === 'arm') server.on('connection', () => this.armConnections++);
      server.keepAliveTimeout = 2000;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      this.ports[name] = (server.address() as AddressInfo).port;
      this.servers.push(server);
    }
    return this;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
  }

  // ----------------------------------------------------------------------------- views for tests

  arm(): Recorded[] {
    return this.requests.filter((r) => r.server === 'arm');
  }
  identity(): Recorded[] {
    return this.requests.filter((r) => r.server === 'identity');
  }
  foreign(): Recorded[] {
    return this.requests.filter((r) => r.server === 'foreign');
  }
  writes(): Recorded[] {
    return this.arm().filter((r) => !['GET', 'HEAD'].includes(r.method));
  }
  patchesOf(id: string): Recorded[] {
    return this.arm().filter((r) => r.method === 'PATCH' && r.path.toLowerCase() === id.toLowerCase());
  }
  mapping(id: string): Mapping {
    return this.mappings.get(id.toLowerCase())!;
  }

  // ----------------------------------------------------------------------------- plumbing

  private receive(server: Recorded['server'], req: IncomingMessage, res: ServerResponse): void {
    const limit = this.options.maxBodyBytes ?? 64 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        headers[k] = Array.isArray(v) ? v.join(', ') : (v ?? '');
      const rec: Recorded = {
        server,
        seq: ++this.seq,
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        path: url.pathname,
        query: url.searchParams,
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now() - this.started,
      };
      this.requests.push(rec);
      const send = (reply: Reply): void => {
        rec.status = reply.status;
        this.contract.checkResponse(server, rec, reply);
        if (reply.status === 0) return;
        if (reply.status === -1) {
          req.socket.destroy();
          return;
        }
        const extra = server === 'arm' ? this.options.extraHeaders?.(rec, reply) : undefined;
        const h: Record<string, string> = {
          ...extra,
          'x-ms-request-id': randomUUID(),
          'x-ms-correlation-request-id': randomUUID(),
          ...(headers['x-ms-client-request-id']
            ? { 'x-ms-client-request-id': headers['x-ms-client-request-id'] }
            : {}),
          ...reply.headers,
        };
        rec.replyHeaders = h;
        let payload = '';
        if (reply.body !== undefined) {
          if (typeof reply.body === 'string') payload = reply.body;
          else {
            payload = JSON.stringify(reply.body);
            h['Content-Type'] ??= 'application/json; charset=utf-8';
          }
        }
        // Header names go out in ARM's casing (Node keeps the case it is given).
        res.writeHead(reply.status, { ...h, 'Content-Length': String(Buffer.byteLength(payload)) });
        res.end(payload);
      };
      if (this.requests.length > (this.options.maxRequests ?? 5000)) {
        this.violations.push(`more than ${this.options.maxRequests ?? 5000} requests`);
        send({
          status: 500,
          body: armError('TooManyTestRequests', 'The fake ARM request bound was exceeded.'),
        });
        return;
      }
      if (tooLarge) {
        this.violations.push(`${rec.method} ${rec.path}: body over ${limit} bytes`);
        send({ status: 413, body: armError('RequestEntityTooLarge', 'The request body is too large.') });
        return;
      }
      const refused = this.contract.checkRequest(server, rec);
      if (refused) return send(refused);
      if (server === 'identity') return send(this.identityReply(rec));
      if (server === 'foreign') {
        return send({ status: 200, body: { value: [] } });
      }
      this.inFlight++;
      this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
      const finish = (): void => {
        let reply: Reply;
        try {
          reply = this.authorize(rec) ?? this.hook?.(rec, this) ?? this.armReply(rec);
        } catch (e) {
          this.violations.push(`fake ARM threw: ${String(e)}`);
          reply = { status: 500, body: armError('InternalServerError', 'fake ARM failure') };
        }
        this.inFlight--;
        send(reply);
      };
      const latency = this.options.latencyFor?.(rec) ?? this.options.latencyMs ?? 0;
      if (latency > 0) setTimeout(finish, latency);
      else finish();
    });
  }

  private identityReply(rec: Recorded): Reply {
    if (rec.method !== 'GET' || rec.path !== '/msi/token') return { status: 404, body: 'not found' };
    if (rec.headers['x-identity-header'] !== IDENTITY_SECRET) {
      return {
        status: 401,
        body: { error: 'invalid_request', error_description: 'X-IDENTITY-HEADER missing or wrong' },
      };
    }
    if (rec.query.get('api-version') !== '2019-08-01' || !rec.query.get('resource')) {
      return {
        status: 400,
        body: { error: 'invalid_request', error_description: 'resource and api-version required' },
      };
    }
    const token = `fake-arm-token-${randomUUID()}`;
    this.issuedTokens.push(token);
    this.validTokens.add(token);
    this.tokenAudience.set(token, rec.query.get('resource')!);
    const now = Math.floor(Date.now() / 1000);
    const lifetime = this.options.tokenLifetimeSeconds ?? 3600;
    this.tokenExpiry.set(token, now + lifetime);
    return {
      status: 200,
      body: {
        access_token: token,
        expires_on: String(now + lifetime),
        resource: rec.query.get('resource')!,
        token_type: 'Bearer',
        client_id: randomUUID(),
      },
    };
  }

  /** Whether a request carries a token ARM accepts now (authentication comes before authorization). */
  private authenticated(rec: Recorded): boolean {
    const token = /^Bearer (.+)$/.exec(rec.headers.authorization ?? '')?.[1];
    return (
      token !== undefined &&
      this.validTokens.has(token) &&
      (this.tokenExpiry.get(token) ?? 0) * 1000 > Date.now()
    );
  }

  /**
   * ARM's authorization of an authenticated request under the role: 403 `AuthorizationFailed` when
   * the role does not allow the request's action, undefined to go on. Resource Graph's query needs
   * no action (its rows are filtered instead). A request whose action cannot be named is a test
   * bug: a violation, answered 400.
   */
  private authorize(rec: Recorded): Reply | undefined {
    if (!this.authenticated(rec) || !rec.query.get('api-version')) return undefined;
    const graph = rec.path.toLowerCase() === '/providers/microsoft.resourcegraph/resources';
    const action = actionFor(rec.method, rec.path);
    if (!graph && action === undefined) {
      this.violations.push(`${rec.method} ${rec.path}: no ARM action names this request (rbac.ts actionFor)`);
      return { status: 400, body: armError('UnknownRoute', `No action for ${rec.method} ${rec.path}.`) };
    }
    const allowed = action === undefined || allows(this.role, action);
    this.authorizations.push({ method: rec.method, path: rec.path, action, allowed });
    if (allowed) return undefined;
    const scope = rec.path.replace(/\/+$/, '');
    return authorizationFailed(RUNBOOK_PRINCIPAL_ID, action!, scope);
  }

  /** The requests the role refused (403 AuthorizationFailed), in order. */
  forbidden(): Authorization[] {
    return this.authorizations.filter((a) => !a.allowed);
  }

  /** ARM's checks every route shares, then the route. */
  private armReply(rec: Recorded): Reply {
    const auth = rec.headers.authorization ?? '';
    const token = /^Bearer (.+)$/.exec(auth)?.[1];
    const expired = token !== undefined && (this.tokenExpiry.get(token) ?? 0) * 1000 <= Date.now();
    if (!token || !this.validTokens.has(token) || expired) {
      return {
        status: 401,
        headers: {
          'WWW-Authenticate': 'Bearer authorization_uri="https://login.windows.net/", error="invalid_token"',
        },
        body: armError(
          token ? 'ExpiredAuthenticationToken' : 'AuthenticationFailed',
          token
            ? 'The access token expiry UTC time is earlier than current UTC time.'
            : 'Authentication failed.',
        ),
      };
    }
    if (!rec.query.get('api-version')) {
      return {
        status: 400,
        body: armError(
          API_VERSION_REQUIRED,
          'The api-version query parameter (?api-version=) is required for all requests.',
        ),
      };
    }
    const path = rec.path.toLowerCase();
    if (path === '/providers/microsoft.resourcegraph/resources') return this.resourceGraphReply(rec);
    const vaults = [this.options.vaultId, ...(this.options.otherVaults ?? [])].map((v) =>
      v.toLowerCase().replace(/\/$/, ''),
    );
    const vault = vaults.find((v) => path.startsWith(`${v}/`));
    if (vault && rec.method === 'GET' && path === `${vault}/replicationprotectioncontainermappings`)
      return this.list(rec, vault);
    if (vault && rec.method === 'GET' && path === `${vault}/replicationprotecteditems`)
      return this.listProtectedItems(rec, vault);
    // Azure-AsyncOperation: {vault}/replicationOperationStatus/{id}; Location: {mapping}/operationresults/{id}.
    const op = /\/(replicationoperationstatus|operationresults)\/([^/]+)$/.exec(path);
    if (rec.method === 'GET' && op && vault) return this.operation(op[1]!, op[2]!, rec);
    const mapping = this.mappings.get(path);
    if (mapping && rec.method === 'GET') return { status: 200, body: mapping as unknown as JsonObject };
    if (mapping && rec.method === 'PATCH') return this.patch(mapping, rec);
    return {
      status: 404,
      body: armError('ResourceNotFound', `The resource '${rec.path}' was not found.`),
    };
  }

  private list(rec: Recorded, vault: string): Reply {
    const order = this.order.filter((id) => id.startsWith(`${vault}/`));
    const pages =
      this.options.pages ??
      (() => {
        const size = this.options.pageSize ?? 100;
        const out: string[][] = [];
        for (let i = 0; i < order.length; i += size) out.push(order.slice(i, i + size));
        return out.length ? out : [[]];
      })();
    const index = Number(rec.query.get('$skiptoken') ?? '0');
    const ids = pages[index] ?? [];
    const body: JsonObject = {
      value: ids.map((id) => this.mappings.get(id.toLowerCase()) as unknown as JsonObject),
    };
    if (index + 1 < pages.length) {
      body.nextLink = `${this.armEndpoint}${rec.path}?api-version=${rec.query.get('api-version')}&$skiptoken=${index + 1}`;
    }
    return { status: 200, body };
  }

  /** The vault's protected items, all fabrics and containers, paged like ARM (`$skipToken`). */
  private listProtectedItems(rec: Recorded, vault: string): Reply {
    const items = (this.options.protectedItems ?? []).filter((i) =>
      String(i.id).toLowerCase().startsWith(`${vault}/`),
    );
    const size = this.options.protectedItemPageSize ?? 100;
    const index = Number(rec.query.get('$skipToken') ?? '0');
    const body: JsonObject = { value: items.slice(index * size, (index + 1) * size) };
    if ((index + 1) * size < items.length) {
      body.nextLink = `${this.armEndpoint}${rec.path}?api-version=${rec.query.get('api-version')}&$skipToken=${index + 1}`;
    }
    return { status: 200, body };
  }

  private patch(mapping: Mapping, rec: Recorded): Reply {
    const key = mapping.id.toLowerCase();
    if (!/^application\/json/i.test(rec.headers['content-type'] ?? '')) {
      return {
        status: 415,
        body: armError('UnsupportedMediaType', 'The content media type is not supported.'),
      };
    }
    let input: JsonObject;
    try {
      const parsed = JSON.parse(rec.body) as JsonObject;
      input = (parsed.properties as JsonObject).providerSpecificInput as JsonObject;
      if (!input || typeof input !== 'object') throw new Error('no providerSpecificInput');
    } catch (e) {
      return {
        status: 400,
        body: armError('InvalidRequestContent', `The request content was invalid: ${String(e)}`),
      };
    }
    const details = mapping.properties.providerSpecificDetails ?? {};
    if (String(input.instanceType) !== String(details.instanceType)) {
      return {
        status: 400,
        body: armError(
          'InvalidProviderInput',
          `instanceType '${String(input.instanceType)}' does not match the mapping.`,
        ),
      };
    }
    const plan = this.options.patchPlan?.(mapping) ?? {
      mode: 'async',
      via: 'both',
      polls: 1,
      status: 'Succeeded',
    };
    this.openOperations.add(key);
    this.peakOpenOperations = Math.max(this.peakOpenOperations, this.openOperations.size);
    if (plan.mode === 'sync') {
      this.apply(mapping, input);
      this.openOperations.delete(key);
      return { status: 200, body: mapping as unknown as JsonObject };
    }
    const id = randomUUID();
    this.operations.set(id, {
      id,
      mappingKey: key,
      plan,
      input,
      reads: 0,
      finished: false,
      startedAt: Date.now(),
    });
    const base = `${this.armEndpoint}${key.slice(0, key.indexOf('/replicationfabrics/'))}`;
    const api = rec.query.get('api-version');
    const headers: Record<string, string> = { ...this.pollHeaders() };
    if (plan.via === 'both' || plan.via === 'azure-async')
      headers['Azure-AsyncOperation'] = `${base}/replicationOperationStatus/${id}?api-version=${api}`;
    if (plan.via === 'both' || plan.via === 'location')
      headers['Location'] = `${this.armEndpoint}${mapping.id}/operationresults/${id}?api-version=${api}`;
    if (plan.via === 'none') {
      // No operation URL: the change lands after the status reads a caller would have made.
      this.finish(this.operations.get(id)!);
    }
    return { status: 202, headers };
  }

  private pollHeaders(): Record<string, string> {
    return { ...(this.options.pollHeaders ?? { 'retry-after-ms': '20' }) };
  }

  private operation(kind: string, id: string, rec: Recorded): Reply {
    const op = this.operations.get(id);
    if (!op) return { status: 404, body: armError('OperationNotFound', `No operation '${id}'.`) };
    op.reads++;
    const running =
      !op.finished &&
      (op.plan.status === 'InProgress' ||
        op.reads <= op.plan.polls ||
        Date.now() - (op.startedAt ?? 0) < (this.options.operationMs ?? 0));
    if (!running && !op.finished) this.finish(op);
    if (kind === 'replicationoperationstatus') {
      if (running) {
        const progress = op.plan.progress ?? ['InProgress'];
        const status = progress[Math.min(op.reads - 1, progress.length - 1)]!;
        return { status: 200, headers: this.pollHeaders(), body: { id: rec.path, name: id, status } };
      }
      const body: JsonObject = {
        id: rec.path,
        name: id,
        status: op.plan.status,
        endTime: new Date().toISOString(),
      };
      if (/^(Failed|Canceled|Cancelled)$/.test(op.plan.status)) {
        body.error = {
          code: `Operation${op.plan.status}Code`,
          message: `The operation ended ${op.plan.status}.`,
        };
      }
      return { status: 200, body };
    }
    // Location: 202 while running, then the resource (200), or the operation's error.
    if (running) {
      return {
        status: 202,
        headers: { ...this.pollHeaders(), Location: `${this.armEndpoint}${rec.url}` },
      };
    }
    if (/^(Failed|Canceled|Cancelled)$/.test(op.plan.status)) {
      return {
        status: 400,
        body: armError(`Operation${op.plan.status}Code`, `The operation ended ${op.plan.status}.`),
      };
    }
    return { status: 200, body: this.mappings.get(op.mappingKey) as unknown as JsonObject };
  }

  /**
   * Azure Resource Graph's resources query, as far as the runbook uses it: the Recovery Services vaults
   * in the subscriptions or management groups asked for, optionally by tag (the `mv-expand` form: name
   * compared case-insensitively, value exactly), `$top` and `$skipToken` paging. Anything else is 400.
   */
  private resourceGraphReply(rec: Recorded): Reply {
    const bad = (message: string): Reply => ({ status: 400, body: armError('BadRequest', message) });
    if (rec.method !== 'POST') return bad('Resource Graph resources is POST.');
    if (rec.query.get('api-version') !== '2024-04-01') return bad('Unsupported api-version.');
    if (!/^application\/json/i.test(rec.headers['content-type'] ?? ''))
      return bad('The content type must be JSON.');
    let body: JsonObject;
    try {
      body = JSON.parse(rec.body) as JsonObject;
    } catch {
      return bad('The body is not JSON.');
    }
    const subs = body.subscriptions;
    const groups = body.managementGroups;
    const isStrings = (v: Json | undefined): v is string[] =>
      Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');
    if ((subs !== undefined) === (groups !== undefined))
      return bad('Give subscriptions or managementGroups.');
    if (subs !== undefined && !isStrings(subs)) return bad('subscriptions must be a non-empty string array.');
    if (groups !== undefined && !isStrings(groups))
      return bad('managementGroups must be a non-empty string array.');
    const query = body.query;
    if (
      typeof query !== 'string' ||
      !/^resources \| where type =~ 'microsoft\.recoveryservices\/vaults'/.test(query)
    )
      return bad(`Query not understood by the fake: ${String(query)}`);
    const tag = /tostring\(tags\[0\]\) =~ '([^']*)'(?: and tostring\(tags\[1\]\) == '([^']*)')?/.exec(query);
    const options = (body.options ?? {}) as JsonObject;
    const top = typeof options.$top === 'number' ? options.$top : 100;
    if (top < 1 || top > 1000) return bad('$top must be 1 to 1000.');
    const skipToken = typeof options.$skipToken === 'string' ? options.$skipToken : undefined;
    const scope = (subs ?? groups) as string[];
    this.graphQueries.push({
      scope,
      ...(tag ? { tag: [tag[1]!, tag[2]] } : {}),
      ...(skipToken ? { skipToken } : {}),
    });
    const inScope = (v: GraphVault): boolean => {
      if (subs) {
        const sub = /^\/subscriptions\/([^/]+)\//i.exec(v.id)?.[1]?.toLowerCase();
        return (subs as string[]).some((s) => s.toLowerCase() === sub);
      }
      return (groups as string[]).some((g) =>
        (v.managementGroups ?? []).some((m) => m.toLowerCase() === g.toLowerCase()),
      );
    };
    const tagged = (v: GraphVault): boolean => {
      if (!tag) return true;
      const entry = Object.entries(v.tags ?? {}).find(([k]) => k.toLowerCase() === tag[1]!.toLowerCase());
      return entry !== undefined && (tag[2] === undefined || entry[1] === tag[2]);
    };
    const rows = (this.options.resourceGraph?.vaults ?? [])
      // ARM returns only the rows the caller can read.
      .filter((v) => inScope(v) && tagged(v) && allows(this.role, 'Microsoft.RecoveryServices/vaults/read'))
      .sort((a, b) => (a.id.toLowerCase() < b.id.toLowerCase() ? -1 : 1));
    let offset = 0;
    if (skipToken !== undefined) {
      const decoded = /^page:(\d+)$/.exec(Buffer.from(skipToken, 'base64').toString('utf8'));
      if (!decoded) return bad('Invalid $skipToken.');
      offset = Number(decoded[1]);
    }
    const size = Math.min(top, this.options.resourceGraph?.pageSize ?? 1000);
    const data = rows.slice(offset, offset + size).map((v) => ({
      id: v.id,
      name: v.id.split('/').pop()!,
      type: 'microsoft.recoveryservices/vaults',
      tags: { ...(v.tags ?? {}) },
    }));
    const reply: JsonObject = {
      totalRecords: rows.length,
      count: data.length,
      data,
      facets: [],
      resultTruncated: 'false',
    };
    if (offset + size < rows.length)
      reply.$skipToken = Buffer.from(`page:${offset + size}`).toString('base64');
    return { status: 200, body: reply };
  }

  private finish(op: Operation): void {
    op.finished = true;
    this.openOperations.delete(op.mappingKey);
    if (/^(Succeeded|PartiallySucceeded|CompletedWithInformation)$/.test(op.plan.status)) {
      this.apply(this.mappings.get(op.mappingKey)!, op.input);
    }
  }

  /** What the service stores after a successful update. */
  private apply(mapping: Mapping, input: JsonObject): void {
    const details = { ...(mapping.properties.providerSpecificDetails ?? {}) };
    if (input.instanceType === 'A2A') {
      details.agentAutoUpdateStatus = input.agentAutoUpdateStatus ?? details.agentAutoUpdateStatus ?? null;
      if (input.automationAccountArmId !== undefined)
        details.automationAccountArmId = input.automationAccountArmId;
      // The service's default when the field is omitted is the retired Run As account.
      details.automationAccountAuthenticationType =
        input.automationAccountAuthenticationType ?? 'RunAsAccount';
    } else if (input.instanceType === 'InMageRcm') {
      details.enableAgentAutoUpgrade = input.enableAgentAutoUpgrade ?? null;
    }
    mapping.properties = { ...mapping.properties, providerSpecificDetails: details, healthErrorDetails: [] };
  }
}

// ------------------------------------------------------------------------------- fixtures

export const SUBSCRIPTION = '00000000-1111-2222-3333-444444444444';
export const VAULT_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-asr/providers/Microsoft.RecoveryServices/vaults/vault-a`;
export const ACCOUNT_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-asr/providers/Microsoft.Automation/automationAccounts/aa-asr-update`;

export interface MappingSpec {
  readonly provider?: 'A2A' | 'InMageRcm' | 'HyperVReplicaAzure' | null;
  readonly state?: string;
  /** A2A */
  readonly status?: string;
  readonly account?: string | null;
  readonly auth?: string | null;
  readonly healthErrors?: number;
  /** InMageRcm */
  readonly upgrade?: string | null;
}

/** A container mapping as ARM returns it, under `vault`. */
export function mapping(name: string, spec: MappingSpec = {}, vault = VAULT_ID): Mapping {
  const provider = spec.provider === undefined ? 'A2A' : spec.provider;
  let details: JsonObject | undefined;
  if (provider === 'A2A') {
    details = {
      instanceType: 'A2A',
      agentAutoUpdateStatus: spec.status ?? 'Disabled',
      automationAccountArmId: spec.account === undefined ? null : spec.account,
      automationAccountAuthenticationType: spec.auth === undefined ? 'RunAsAccount' : spec.auth,
      scheduleName: null,
      jobScheduleName: null,
    };
  } else if (provider === 'InMageRcm') {
    details = {
      instanceType: 'InMageRcm',
      enableAgentAutoUpgrade: spec.upgrade === undefined ? 'false' : spec.upgrade,
    };
  } else if (provider) {
    details = { instanceType: provider };
  }
  const fabric = `${vault}/replicationFabrics/fabric-${provider === 'InMageRcm' ? 'vmware' : 'westeurope'}`;
  return {
    id: `${fabric}/replicationProtectionContainers/container-1/replicationProtectionContainerMappings/${name}`,
    name,
    type: 'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectionContainerMappings',
    properties: {
      targetProtectionContainerId: `${fabric}/replicationProtectionContainers/container-2`,
      policyId: `${vault}/replicationPolicies/policy-24h`,
      state: spec.state ?? 'Paired',
      health: spec.healthErrors ? 'Warning' : 'Normal',
      healthErrorDetails: Array.from({ length: spec.healthErrors ?? 0 }, (_, i) => ({
        errorCode: `${150000 + i}`,
        errorMessage: 'The automation account could not update the extension.',
      })),
      ...(details ? { providerSpecificDetails: details } : {}),
    },
  };
}

/** Site Recovery's agent facts for one machine, as the shared case table writes them. */
export type AgentFactsJson = { provider: 'A2A' | 'InMageRcm' } & JsonObject;

/** A replication protected item as ARM returns it, under `vault`, carrying `facts`. */
export function protectedItem(name: string, facts: AgentFactsJson, vault = VAULT_ID): JsonObject {
  const { provider, ...details } = facts;
  const fabric = `${vault}/replicationFabrics/fabric-${provider === 'InMageRcm' ? 'vmware' : 'westeurope'}`;
  return {
    id: `${fabric}/replicationProtectionContainers/container-1/replicationProtectedItems/${name}-id`,
    name: `${name}-id`,
    type: 'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems',
    properties: {
      friendlyName: name,
      protectionState: 'Protected',
      replicationHealth: 'Normal',
      providerSpecificDetails: { instanceType: provider, ...details },
    },
  };
}
