/**
 * What ARM authorizes, for the fake ARM (test/runbook/fake-arm.ts) to enforce a role: the action
 * each request the runbook sends needs, and whether a role's actions allow it. The rules, from
 * Learn ("Understand Azure role definitions", "Azure custom roles"): an action is
 * `{Namespace}/{resource types}/{operation}`, the resource types being the type segments of the
 * path after `providers/{Namespace}` (every other segment is a name); GET is `read`, PUT and PATCH
 * are `write`, DELETE is `delete`, a POST to an action is `{action}/action`. Matching is
 * case-insensitive, `*` matches any characters (`/` included), and `notActions` subtract from
 * `actions`. The library's custom role is `RUNBOOK_ROLE_ACTIONS` (the domain's), so the fake can
 * load exactly what is deployed.
 */
export { RUNBOOK_ROLE_ACTIONS } from '../../constructs/domain/roles';

/** A role's control-plane permissions (one permission block). */
export interface RolePermissions {
  readonly actions: readonly string[];
  readonly notActions?: readonly string[];
}

const OPERATIONS: Readonly<Record<string, string>> = {
  GET: 'read',
  HEAD: 'read',
  PUT: 'write',
  PATCH: 'write',
  DELETE: 'delete',
};

/**
 * The ARM action a request needs, or undefined when ARM does not authorize it with an action:
 * Resource Graph's query (`POST /providers/Microsoft.ResourceGraph/resources`) is authorized per
 * row (only resources the caller can read are returned), and paths outside `/subscriptions` or
 * `/providers` are not ARM's (the managed-identity endpoint, the ingestion endpoint).
 * `path`: the URL path, without query.
 */
export function actionFor(method: string, path: string): string | undefined {
  const segments = path.replace(/^\/+|\/+$/g, '').split('/');
  const upper = method.toUpperCase();
  const at = segments.map((s) => s.toLowerCase()).lastIndexOf('providers');
  if (at < 0 || at + 1 >= segments.length) return undefined;
  const namespace = segments[at + 1]!;
  if (namespace.toLowerCase() === 'microsoft.resourcegraph') return undefined;
  // After the namespace: type, name, type, name, ... A path ending in a type is a collection.
  const rest = segments.slice(at + 2);
  const types = rest.filter((_, i) => i % 2 === 0);
  if (types.length === 0) return undefined;
  // A POST to `{type}/{name}/{action}`: the action's name falls on a type position.
  if (upper === 'POST') return `${namespace}/${types.join('/')}/action`;
  const operation = OPERATIONS[upper];
  return operation ? `${namespace}/${types.join('/')}/${operation}` : undefined;
}

/** Whether one permission string (at most one `*`, any characters) matches an action, as ARM matches: case-insensitively. */
export function matches(permission: string, action: string): boolean {
  const pattern = permission
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`, 'i').test(action);
}

/** Whether a role allows an action: some `actions` entry matches it and no `notActions` entry does. */
export function allows(role: RolePermissions, action: string): boolean {
  return (
    role.actions.some((a) => matches(a, action)) && !(role.notActions ?? []).some((n) => matches(n, action))
  );
}

/**
 * ARM's answer to a request the role does not allow: 403 with `AuthorizationFailed` and the
 * message ARM writes (client, action and scope).
 */
export function authorizationFailed(
  principalId: string,
  action: string,
  scope: string,
): {
  readonly status: 403;
  readonly body: { readonly error: { readonly code: string; readonly message: string } };
} {
  return {
    status: 403,
    body: {
      error: {
        code: 'AuthorizationFailed',
        message: `The client '${principalId}' with object id '${principalId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      },
    },
  };
}
