// The Pulumi program (Pulumi.yaml `main`): `pulumi up` with stack config (Pulumi.<stack>.yaml).
import * as pulumi from '@pulumi/pulumi';
import { clockFromEnvironment, program } from './program';

const outputs = program(new pulumi.Config(), clockFromEnvironment());

export const scenario = outputs.scenario;
export const vaultId = outputs.vaultId;
export const automationAccountId = outputs.automationAccountId;
export const automationPrincipalId = outputs.automationPrincipalId;
