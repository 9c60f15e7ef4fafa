import { POWERSHELL_RUNTIME_VERSIONS, POWERSHELL_RUNTIMES_CHECKED_ON } from '../runtime';
import type { PolicyRule } from './types';

/**
 * The newest PowerShell runtime Azure Automation documents can itself be past its end of support:
 * PowerShell 7.4 reached the end of its community support on 2026-11-10, while Automation lists no
 * newer runtime environment yet. Nothing better can be chosen, so this is its own rule, apart from
 * ASR-W05 (a retired version with a newer one to move to): a team can suppress this notice, with
 * its reason, and still be told when a block is pinned to a retired version.
 */
export const newestRuntimePastSupport: PolicyRule = {
  id: 'ASR-W06',
  level: 'warning',
  description:
    'runbook runs on the newest PowerShell version Automation documents, which is past its end of support',
  needs: ['automation'],
  check({ automation }) {
    const runtime = automation?.runtime;
    if (
      !runtime ||
      runtime.version !== POWERSHELL_RUNTIME_VERSIONS.at(-1) ||
      runtime.endOfSupport > POWERSHELL_RUNTIMES_CHECKED_ON
    )
      return [];
    return [
      {
        fact: 'automation',
        prop: 'runtime.version',
        value: runtime.version,
        message: `PowerShell ${runtime.version} reached the end of its community support on ${runtime.endOfSupport}; Azure Automation documents no newer runtime environment yet (Microsoft Learn, checked ${POWERSHELL_RUNTIMES_CHECKED_ON}), so ${runtime.version} stays the default until it does`,
      },
    ];
  },
};
