import {
  POWERSHELL_RUNTIME_VERSIONS,
  POWERSHELL_RUNTIMES,
  POWERSHELL_RUNTIMES_CHECKED_ON,
  RUNTIME_DEFAULTS,
} from '../runtime';
import type { PolicyRule } from './types';

/**
 * The runbook runs on a PowerShell version whose community support has ended while Azure
 * Automation still runs it: PowerShell 7.4 (ended 2026-11-10). The message names the newest
 * version Automation offers that is still supported (7.6, generally available in Automation since
 * 2026-07-30, Azure Update 568102), or says that there is none yet. Versions Automation retired
 * (7.1 and 7.2, on 2026-09-30) never get here: the domain refuses them. A team that must stay on
 * 7.4 for a while suppresses this rule with its reason.
 */
export const newestRuntimePastSupport: PolicyRule = {
  id: 'ASR-W06',
  level: 'warning',
  description: 'runbook runs on a PowerShell version past its community support',
  needs: ['automation'],
  check({ automation }) {
    const runtime = automation?.runtime;
    const ended = runtime?.endOfSupport;
    if (!runtime || ended === null || ended === undefined || ended > POWERSHELL_RUNTIMES_CHECKED_ON)
      return [];
    const supported = POWERSHELL_RUNTIME_VERSIONS.filter((v) => {
      const end = POWERSHELL_RUNTIMES[v].endOfSupport;
      return end === null || end > POWERSHELL_RUNTIMES_CHECKED_ON;
    });
    const newer = supported.at(-1);
    const advice = newer
      ? `use version '${newer}'${newer === RUNTIME_DEFAULTS.version ? ' (the default)' : ''}, which Azure Automation runs and PowerShell still supports`
      : `Azure Automation runs no newer version yet (checked ${POWERSHELL_RUNTIMES_CHECKED_ON})`;
    return [
      {
        fact: 'automation',
        prop: 'runtime.version',
        value: runtime.version,
        message: `PowerShell ${runtime.version} reached the end of its community support on ${ended}: ${advice}`,
      },
    ];
  },
};
