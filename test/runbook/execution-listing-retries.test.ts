import { mapping, VAULT_ID } from './fake-arm';
import {
  a2a,
  armError,
  enabled,
  executionScenarios,
  firstTimes,
  isList,
  itemOf,
  job,
  scenario,
} from './scenarios';

/** The runbook's execution scenarios: listing, paging, throttling, retries, foreign hosts (shared helpers: scenarios.ts). */
executionScenarios(__filename, 'listing, paging, throttling, retries, foreign hosts', () => {
  // ------------------------------------------------------------------------ listing
  (() => {
    const ms = a2a(3);
    scenario(
      'follows nextLink over three pages with an empty middle page',
      { mappings: ms, pages: [[ms[0]!.id, ms[1]!.id], [], [ms[2]!.id]] },
      async ({ arm, run }) => {
        const [r] = await run(job(arm));
        expect(r!.summary.counts.listed).toBe(3);
        expect(r!.summary.outcome).toBe('Succeeded');
        expect(
          arm
            .arm()
            .filter(isList)
            .map((q) => q.query.get('$skiptoken')),
        ).toEqual([null, '1', '2']);
      },
    );
  })();

  scenario(
    'fails when a nextLink points at another host, and sends that host nothing',
    { mappings: a2a(2) },
    async ({ arm, run }) => {
      arm.hook = (r) =>
        isList(r)
          ? {
              status: 200,
              body: {
                value: [arm.mappings.values().next().value as unknown as Record<string, never>],
                nextLink: `${arm.foreignEndpoint}${VAULT_ID}/replicationProtectionContainerMappings?api-version=2026-05-01&$skiptoken=1`,
              },
            }
          : undefined;
      const [r] = await run(job(arm));
      expect(r!.summary.outcome).toBe('Failed');
      expect(r!.summary.message).toMatch(/nextLink points at '127\.0\.0\.1:\d+'/);
      expect(arm.foreign()).toEqual([]);
      expect(arm.writes()).toEqual([]);
    },
  );

  scenario(
    'fails when ARM answers with an HTML page instead of JSON (listing and PATCH)',
    { mappings: a2a(2) },
    async ({ arm, run }) => {
      const html =
        '<!DOCTYPE html><html><body><h1>403 - Forbidden</h1><p>Blocked by proxy.</p></body></html>';
      const listOnce = firstTimes(1, isList, () => ({
        status: 200,
        headers: { 'Content-Type': 'text/html' },
        body: html,
      }));
      arm.hook = (r) =>
        listOnce(r) ??
        (r.method === 'PATCH'
          ? { status: 403, headers: { 'Content-Type': 'text/html' }, body: html }
          : undefined);
      const [listing, patching] = await run([job(arm), job(arm)]);
      expect(listing!.summary.outcome).toBe('Failed');
      expect(listing!.summary.message).toMatch(/not JSON/);
      expect(patching!.summary.outcome).toBe('Failed');
      for (const item of patching!.summary.mappings) {
        expect(item.errorCode).toBe('Http403');
        expect(item.errorMessage).toContain('text/html');
        expect(item.attempts).toBe(1);
      }
    },
  );

  // ------------------------------------------------------------------------ retries
  scenario(
    'waits as 429 asks, in each Retry-After form (retry-after-ms, x-ms-retry-after-ms, seconds, HTTP date)',
    { mappings: [enabled('a'), enabled('b'), enabled('c'), enabled('d')], pageSize: 1 },
    async ({ arm, run }) => {
      const forms: Record<string, () => Record<string, string>> = {
        '0': () => ({ 'retry-after-ms': '400', 'Retry-After': '30' }),
        '1': () => ({ 'x-ms-retry-after-ms': '400' }),
        '2': () => ({ 'Retry-After': '1' }),
        '3': () => ({
          'Retry-After': new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000).toUTCString(),
        }),
      };
      const seen = new Set<string>();
      const sentAt = new Map<string, { at: number; wall: number; headers: Record<string, string> }>();
      arm.hook = (r) => {
        const page = r.query.get('$skiptoken') ?? '0';
        if (!isList(r) || seen.has(page)) return undefined;
        seen.add(page);
        const headers = forms[page]!();
        sentAt.set(page, { at: r.at, wall: Date.now(), headers });
        return {
          status: 429,
          headers,
          body: { error: { code: 'TooManyRequests', message: 'Throttled.' } },
        };
      };
      const [r] = await run(job(arm));
      expect(r!.summary.outcome).toBe('NoChange');
      const retryGap = (page: string) => {
        const reqs = arm.arm().filter((q) => isList(q) && (q.query.get('$skiptoken') ?? '0') === page);
        expect(reqs.map((q) => q.status)).toEqual([429, 200]);
        return reqs[1]!.at - reqs[0]!.at;
      };
      expect(retryGap('0')).toBeGreaterThanOrEqual(390);
      expect(retryGap('0')).toBeLessThan(5000); // the ms header wins over Retry-After: 30
      expect(retryGap('1')).toBeGreaterThanOrEqual(390);
      expect(retryGap('2')).toBeGreaterThanOrEqual(990);
      const date = sentAt.get('3')!;
      const asked = Date.parse(date.headers['Retry-After']!) - date.wall;
      expect(retryGap('3')).toBeGreaterThanOrEqual(asked - 50);
      expect(retryGap('3')).toBeLessThan(asked + 3000);
    },
  );

  scenario(
    'fails when Retry-After is longer than the deadline: TimedOut at once, never sleeping past it',
    {
      mappings: a2a(1),
      hook: (r) =>
        isList(r)
          ? {
              status: 429,
              headers: { 'Retry-After': '3600' },
              body: { error: { code: 'TooManyRequests', message: 'Throttled.' } },
            }
          : undefined,
    },
    async ({ arm, run }) => {
      const [r] = await run(job(arm, { timeoutseconds: '5' }));
      expect(r!.summary.outcome).toBe('TimedOut');
      expect(r!.ms).toBeLessThan(4500); // neither the hour asked for nor the 5 s deadline
      expect(arm.arm()).toHaveLength(1);
    },
  );

  (() => {
    const ms = ['s500', 's502', 's503', 's504', 's408', 'backoff', 'always503', 'n501'].map((n) =>
      mapping(n),
    );
    const byName = (n: string) => ms.find((m) => m.name === n)!;
    const sequences: Record<string, number[]> = {
      s500: [500, 500],
      s502: [502],
      s503: [503],
      s504: [504],
      s408: [408],
      backoff: [503],
      always503: [503, 503, 503, 503, 503, 503],
      n501: [501],
    };
    const counts = new Map<string, number>();
    scenario(
      'fails when a 5xx outlasts MaxRetries, or at once on 501; 408 and 5xx are retried until then',
      {
        mappings: ms,
        hook: (r) => {
          if (r.method !== 'PATCH') return undefined;
          const name = r.path.split('/').pop()!;
          const n = counts.get(name) ?? 0;
          counts.set(name, n + 1);
          const status = sequences[name]?.[n];
          if (status === undefined) return undefined;
          const headers: Record<string, string> = name === 'backoff' ? {} : { 'retry-after-ms': '10' };
          return {
            status,
            headers,
            body: { error: { code: `Code${status}`, message: `Transient ${status}.` } },
          };
        },
      },
      async ({ arm, run }) => {
        const [r] = await run(job(arm, { maxretries: '3' }));
        const s = r!.summary;
        expect(s.outcome).toBe('PartiallyFailed');
        for (const n of ['s500', 's502', 's503', 's504', 's408', 'backoff']) {
          expect(itemOf(s, byName(n)).result).toBe('Succeeded');
          expect(arm.patchesOf(byName(n).id)).toHaveLength(sequences[n]!.length + 1);
        }
        expect(itemOf(s, byName('always503'))).toMatchObject({ result: 'Failed', errorCode: 'Code503' });
        expect(arm.patchesOf(byName('always503').id)).toHaveLength(4);
        expect(itemOf(s, byName('n501'))).toMatchObject({ result: 'Failed', errorCode: 'Code501' });
        expect(arm.patchesOf(byName('n501').id)).toHaveLength(1);
        // Without a Retry-After, exponential backoff with jitter: at least a second before the first retry.
        const [b1, b2] = arm.patchesOf(byName('backoff').id);
        expect(b2!.at - b1!.at).toBeGreaterThanOrEqual(900);
      },
    );
  })();

  (() => {
    const ms = ['e400', 'e403', 'e404', 'e409', 'fine'].map((n) => mapping(n));
    scenario(
      'fails when ARM answers 400, 403, 404 or 409: sent once, ARM error code, message and request id in the summary',
      {
        mappings: ms,
        hook: (r) => {
          const name = r.path.split('/').pop()!;
          const status = Number(name.slice(1));
          if (r.method !== 'PATCH' || !/^e\d+$/.test(name)) return undefined;
          return armError(status, `Arm${status}Code`, `ARM says ${status} for ${name}.`);
        },
      },
      async ({ arm, run }) => {
        const [r] = await run(job(arm));
        const s = r!.summary;
        expect(s.outcome).toBe('PartiallyFailed');
        expect(s.counts).toMatchObject({ planned: 5, succeeded: 1, failed: 4 });
        for (const m of ms.slice(0, 4)) {
          const status = Number(m.name.slice(1));
          const patches = arm.patchesOf(m.id);
          expect(patches).toHaveLength(1);
          expect(itemOf(s, m)).toMatchObject({
            result: 'Failed',
            errorCode: `Arm${status}Code`,
            errorMessage: `ARM says ${status} for ${m.name}.`,
            requestId: patches[0]!.replyHeaders!['x-ms-request-id'],
            attempts: 1,
          });
        }
        expect(r!.warnings.filter((w) => w.includes('failed'))).toHaveLength(4);
      },
    );
  })();

  // ------------------------------------------------------------------------ foreign operation hosts
  (() => {
    const ms = [mapping('async-foreign'), mapping('location-foreign')];
    scenario(
      'fails when Azure-AsyncOperation or Location points at another host, and sends that host nothing',
      { mappings: ms },
      async ({ arm, run }) => {
        arm.hook = (r) => {
          if (r.method !== 'PATCH') return undefined;
          const header = r.path.endsWith('/async-foreign') ? 'Azure-AsyncOperation' : 'Location';
          return {
            status: 202,
            headers: {
              [header]: `${arm.foreignEndpoint}${VAULT_ID}/replicationOperationStatus/x?api-version=2026-05-01`,
            },
          };
        };
        const [r] = await run(job(arm));
        expect(r!.summary.outcome).toBe('Failed');
        for (const item of r!.summary.mappings) expect(item.errorCode).toBe('ForeignHost');
        expect(arm.foreign()).toEqual([]);
      },
    );
  })();
});
