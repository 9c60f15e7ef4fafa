import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AGENT_STATUSES,
  classifyAgent,
  compareAgentVersions,
  type AgentFacts,
  type AgentStatus,
} from '../../constructs/domain/agent-status';

interface Case {
  readonly name: string;
  readonly now: string;
  readonly expiringWithinDays: number;
  readonly facts: AgentFacts;
  readonly expected: { readonly status: AgentStatus; readonly reasons: readonly string[] };
}

// The same table drives the runbook suite, so the domain and the runbook judge alike.
const table = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'agent-status-cases.json'), 'utf8'),
) as { cases: Case[] };

describe('classifyAgent (shared case table)', () => {
  it.each(table.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(
      classifyAgent(c.facts, { now: new Date(c.now), expiringWithinDays: c.expiringWithinDays }),
    ).toEqual(c.expected);
  });

  it('covers every status', () => {
    const seen = new Set(table.cases.map((c) => c.expected.status));
    expect([...AGENT_STATUSES].filter((s) => !seen.has(s))).toEqual([]);
  });

  it('has unique case names', () => {
    const names = table.cases.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('classifyAgent', () => {
  const now = new Date('2026-11-30T00:00:00Z');

  it('uses a 30-day warning window by default', () => {
    const facts: AgentFacts = {
      provider: 'A2A',
      agentVersion: '9.1',
      agentExpiryDate: '2026-12-29T00:00:00Z',
    };
    expect(classifyAgent(facts, { now }).status).toBe('SupportExpiring');
    expect(classifyAgent({ ...facts, agentExpiryDate: '2027-01-01T00:00:00Z' }, { now }).status).toBe(
      'Current',
    );
  });

  it('treats an expiry exactly at the report time as passed', () => {
    const facts: AgentFacts = { provider: 'A2A', agentVersion: '9.1', agentExpiryDate: now.toISOString() };
    expect(classifyAgent(facts, { now })).toEqual({
      status: 'OutOfSupport',
      reasons: ['expired:2026-11-30'],
    });
  });

  it('does not call a machine behind when the versions cannot be compared', () => {
    const facts: AgentFacts = {
      provider: 'InMageRcm',
      mobilityAgentDetails: { version: 'preview', latestVersion: '9.63.7300.1', isUpgradeable: 'true' },
    };
    expect(classifyAgent(facts, { now })).toEqual({ status: 'Current', reasons: [] });
  });
});

describe('compareAgentVersions', () => {
  it.each([
    ['9.62.7172.1', '9.62.7172.1', 0],
    ['9.62', '9.62.0.0', 0],
    ['9.9.1.1', '9.10.1.1', -1],
    ['10.0', '9.99.9999.9', 1],
  ])('%s vs %s is %d', (a, b, expected) => {
    expect(compareAgentVersions(a, b)).toBe(expected);
  });

  it('fails when a version is not dotted numbers', () => {
    expect(compareAgentVersions('9.62-beta', '9.62')).toBeUndefined();
    expect(compareAgentVersions('', '9.62')).toBeUndefined();
  });
});
