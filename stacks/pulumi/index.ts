// The Pulumi program (Pulumi.yaml `main`): `pulumi up` with stack config (Pulumi.<stack>.yaml).
import * as pulumi from '@pulumi/pulumi';
import { formatEntryPointError, isUserError } from '../../scripts/report-error';
import { clockFromEnvironment, program, type ProgramOutputs } from './program';

const config = new pulumi.Config();
const prefix = `${pulumi.getProject()}:`;
const keys = () =>
  Object.keys(pulumi.runtime.allConfig())
    .filter((k) => k.startsWith(prefix))
    .map((k) => k.slice(prefix.length));

function build(): ProgramOutputs {
  try {
    return program({ get: (key) => config.get(key), keys }, clockFromEnvironment());
  } catch (e) {
    // A configuration mistake: Pulumi prints a RunError's message alone (no stack) and fails the
    // update before any resource is registered. Anything else keeps its stack.
    if (isUserError(e)) throw new pulumi.RunError(formatEntryPointError(e));
    throw e;
  }
}
const outputs = build();

export const scenario = outputs.scenario;
export const vaultId = outputs.vaultId;
export const automationAccountId = outputs.automationAccountId;
export const automationPrincipalId = outputs.automationPrincipalId;
