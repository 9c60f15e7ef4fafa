import type { PolicyRule } from './types';

/**
 * PowerShell 7.2 reached end of support on 2024-11-08; Azure Automation runs a retired language
 * version only in reduced support. The classic `PowerShell72` runbook type stays possible for
 * accounts that need it, said out loud.
 */
export const retiredPowerShellRuntime: PolicyRule = {
  id: 'ASR-W05',
  level: 'warning',
  description: 'runbook runs on a PowerShell version past its end of support',
  needs: ['automation'],
  check({ automation }) {
    const runtime = automation?.runtime;
    if (!runtime || runtime.environment) return [];
    return [
      {
        fact: 'automation',
        prop: 'runtime.version',
        value: runtime.version,
        message: `PowerShell ${runtime.version} reached end of support on ${runtime.endOfSupport} and Azure Automation runs it only in reduced support: use version '7.4' (a runtime environment, the default)`,
      },
    ];
  },
};
