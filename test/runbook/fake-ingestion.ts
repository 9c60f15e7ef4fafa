import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ContractEnforcer } from './contract';
import { rowProblems, ESTATE_TABLES } from './estate-schema';
import type { Json, JsonObject, Recorded, Reply } from './fake-arm';

/**
 * A fake Azure Monitor Logs Ingestion endpoint (a data collection endpoint) on loopback (127.0.0.1,
 * port 0). Every request first goes through Microsoft's contract for the upload (contract.ts with
 * test/fixtures/contracts/logs-ingestion-2023-01-01.json, as the fake ARM does for its routes): the route
 * `POST /dataCollectionRules/{ruleId}/streams/{stream}`, the api-version 2023-01-01, the bearer
 * Authorization header, a JSON content type, a JSON array body whose rows have only the stream's columns
 * with their types; a request that breaks it is answered 400 in the API's error shape and the violation is
 * named in `violations`. Every answer is checked against the contract's responses too (204 without a
 * body, errors in the error shape). Then the endpoint's behaviour: a body of at most 1 MB (413, checked
 * first, as the service refuses it before reading it), a token issued for `https://monitor.azure.com`
 * (401 otherwise), the rule's immutable id (404 for another), rows with every column of the constructs'
 * tables (estate-schema.ts: none missing, strings never null, datetimes in ISO 8601 UTC; 400 otherwise),
 * and 204 No Content when accepted. Every request is recorded and bounded; anything the runbook should
 * never do is listed in `violations`.
 */
export const MONITOR_AUDIENCE = 'https://monitor.azure.com';
export const INGESTION_API_VERSION = '2023-01-01';
/** The API's limit on one call. */
export const MAX_CALL_BYTES = 1024 * 1024;

export interface IngestionRequest extends Recorded {
  readonly server: 'ingestion';
  /** Size of the body on the wire. */
  readonly bytes: number;
  /** The stream named in the path (undefined when the path is not an upload). */
  readonly stream: string | undefined;
  /** Rows in the body when it parsed as an array. */
  rows?: JsonObject[];
}

export interface FakeIngestionOptions {
  /** The data collection rule's immutable id. */
  readonly ruleId: string;
  /** The audience a token was issued for (the fake identity endpoint knows). */
  readonly tokenAudience: (token: string) => string | undefined;
  /** Called once the request met the contract; a reply here replaces the 204 (its rows are then not kept). */
  readonly hook?: (req: IngestionRequest, ingestion: FakeIngestion) => Reply | undefined;
  /** Requests accepted in all; more fail the test. Default 500. */
  readonly maxRequests?: number;
}

const error = (code: string, message: string): JsonObject => ({ error: { code, message } });

export class FakeIngestion {
  readonly requests: IngestionRequest[] = [];
  readonly violations: string[] = [];
  /** Microsoft's contract for the upload, enforced on every request and answer; violations land in `violations`. */
  readonly contract = new ContractEnforcer((v) => this.violations.push(v));
  /** Rows accepted (answered 204), per stream, in the order received. */
  readonly accepted = new Map<string, JsonObject[]>(ESTATE_TABLES.map((t) => [t.stream, []]));
  private server: Server | undefined;
  private port = 0;
  private seq = 0;
  private readonly started = Date.now();

  constructor(readonly options: FakeIngestionOptions) {}

  /** The logs ingestion URI, as the data collection endpoint publishes it. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  rows(stream: string): JsonObject[] {
    return this.accepted.get(stream) ?? [];
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => this.receive(req, res));
    server.keepAliveTimeout = 2000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private receive(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      // Keep a little past the limit: enough to know it was exceeded, bounded all the same.
      if (size <= MAX_CALL_BYTES + 1024) chunks.push(c);
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        headers[k] = Array.isArray(v) ? v.join(', ') : (v ?? '');
      const match = /^\/dataCollectionRules\/([^/]+)\/streams\/([^/]+)$/.exec(url.pathname);
      const rec: IngestionRequest = {
        server: 'ingestion',
        seq: ++this.seq,
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        path: url.pathname,
        query: url.searchParams,
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
        bytes: size,
        stream: match ? decodeURIComponent(match[2]!) : undefined,
        at: Date.now() - this.started,
      };
      this.requests.push(rec);
      let reply: Reply;
      try {
        reply = this.reply(rec, match?.[1]);
      } catch (e) {
        this.violations.push(`fake ingestion threw: ${String(e)}`);
        reply = { status: 500, body: error('InternalServerError', 'fake ingestion failure') };
      }
      rec.status = reply.status;
      this.contract.checkResponse('ingestion', rec, reply);
      const h: Record<string, string> = { 'x-ms-request-id': randomUUID(), ...reply.headers };
      rec.replyHeaders = h;
      let payload = '';
      if (reply.body !== undefined) {
        payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
        if (typeof reply.body !== 'string') h['Content-Type'] ??= 'application/json; charset=utf-8';
      }
      res.writeHead(reply.status, { ...h, 'Content-Length': String(Buffer.byteLength(payload)) });
      res.end(payload);
    });
  }

  private reply(rec: IngestionRequest, ruleId: string | undefined): Reply {
    const wrong = (status: number, code: string, message: string): Reply => {
      this.violations.push(`${rec.method} ${rec.path}: ${status} ${code}: ${message}`);
      return { status, body: error(code, message) };
    };
    if (this.requests.length > (this.options.maxRequests ?? 500))
      return wrong(500, 'TooManyTestRequests', 'The fake ingestion request bound was exceeded.');
    if (rec.bytes > MAX_CALL_BYTES)
      return wrong(
        413,
        'ContentLengthLimitExceeded',
        `The body is ${rec.bytes} bytes; the limit is ${MAX_CALL_BYTES}.`,
      );
    // The contract: route, api-version, headers, content type, the body and its rows' columns and types.
    const refused = this.contract.checkRequest('ingestion', rec);
    if (refused) return refused;
    if (!ruleId || !rec.stream) return wrong(404, 'NotFound', 'No such route.');
    const token = /^Bearer (.+)$/.exec(rec.headers.authorization ?? '')?.[1];
    const audience = token === undefined ? undefined : this.options.tokenAudience(token);
    if (audience !== MONITOR_AUDIENCE)
      return wrong(
        401,
        'InvalidToken',
        `The token's audience is '${String(audience)}', not ${MONITOR_AUDIENCE}.`,
      );
    if (ruleId !== this.options.ruleId)
      return wrong(
        404,
        'DataCollectionRuleNotFound',
        `No data collection rule with immutable id '${ruleId}'.`,
      );
    let parsed: Json;
    try {
      parsed = JSON.parse(rec.body) as Json;
    } catch (e) {
      return wrong(400, 'InvalidContent', `The body is not JSON: ${String(e)}`);
    }
    if (!Array.isArray(parsed) || parsed.length === 0)
      return wrong(400, 'InvalidContent', 'The body must be a non-empty JSON array of rows.');
    const problems = parsed.flatMap((row) => rowProblems(rec.stream!, row));
    if (problems.length > 0) return wrong(400, 'InvalidContent', problems.slice(0, 5).join('; '));
    rec.rows = parsed as JsonObject[];
    const scripted = this.options.hook?.(rec, this);
    if (scripted) return scripted;
    this.accepted.get(rec.stream)!.push(...rec.rows);
    return { status: 204 };
  }
}
