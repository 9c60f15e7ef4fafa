// The Pulumi program (Pulumi.yaml `main`): `pulumi up` with stack config (Pulumi.<stack>.yaml).
import * as pulumi from '@pulumi/pulumi';
import { clockFromEnvironment, program } from './program';

const config = new pulumi.Config();
const prefix = `${pulumi.getProject()}:`;
const keys = () =>
  Object.keys(pulumi.runtime.allConfig())
    .filter((k) => k.startsWith(prefix))
    .map((k) => k.slice(prefix.length));
const outputs = program({ get: (key) => config.get(key), keys }, clockFromEnvironment());

export const scenario = outputs.scenario;
export const vaultId = outputs.vaultId;
export const automationAccountId = outputs.automationAccountId;
export const automationPrincipalId = outputs.automationPrincipalId;
