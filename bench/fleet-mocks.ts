import * as pulumi from '@pulumi/pulumi';

/** A custom resource as the mock runtime receives it: type token, logical name, resolved inputs. */
export interface Registration {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly id: string;
}
/** A provider function call as the mock runtime receives it. */
export interface Invocation {
  readonly token: string;
  readonly args: Record<string, unknown>;
}

/** The id the mocks give a custom resource: deterministic, from its logical name. */
export const mockId = (name: string): string =>
  `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/x/${name}`;

/**
 * The Pulumi mocks every fleet benchmark runs under (ours and raw alike), so both pay the same
 * runtime. Returns the number of registrations so far; `observe` sees each one (for recording).
 */
export async function setFleetMocks(observe?: {
  resource?: (r: Registration) => void;
  call?: (c: Invocation) => void;
}): Promise<() => number> {
  let registered = 0;
  await pulumi.runtime.setMocks(
    {
      newResource: (a) => {
        registered += 1;
        const state: Record<string, unknown> = { ...a.inputs, name: a.name };
        if (a.type === 'azure-native:automation:AutomationAccount')
          state.identity = { principalId: '11111111-1111-1111-1111-111111111111' };
        if (a.type === 'azure-native:storage:StorageAccount')
          state.primaryEndpoints = { blob: 'https://bench.blob.core.windows.net/' };
        const id = a.custom === false ? undefined : mockId(a.name);
        if (id !== undefined) observe?.resource?.({ type: a.type, name: a.name, inputs: a.inputs, id });
        return { id, state };
      },
      call: (a) => {
        observe?.call?.({ token: a.token, args: a.inputs });
        // The deployer's token RunbookContent publishes with: a placeholder, never a token.
        if (a.token === 'azure-native:authorization:getClientToken') return { token: 'bench-not-a-token' };
        return { serviceSasToken: 'sv=bench&sig=bench' };
      },
    },
    'fleet',
    'bench',
    true,
  );
  return () => registered;
}

/**
 * Runs `declare` as a real Pulumi program runs: inside the stack's root resource
 * (`runInPulumiStack`), the parent of every resource declared without one. The mocks have no root
 * of their own, and without one a resource declared with no parent (all of the raw baseline's)
 * skips the URN work a parent brings (each of azure-native's type aliases is resolved through the
 * parent's URN: 5 to 41 per resource), which no deployed program skips. Ours and raw both run here.
 */
export async function inStack(declare: () => void | Promise<void>): Promise<void> {
  await pulumi.runtime.runInPulumiStack(async () => {
    await declare();
    return undefined;
  });
}

/** Registrations arrive asynchronously: waits (bounded, 10 minutes) until the count has been stable for 500 ms. */
export async function settle(count: () => number): Promise<number> {
  let last = -1;
  for (let stable = 0, i = 0; stable < 5 && i < 6000; i++) {
    await new Promise((r) => setTimeout(r, 100));
    stable = count() === last ? stable + 1 : 0;
    last = count();
  }
  return last;
}
