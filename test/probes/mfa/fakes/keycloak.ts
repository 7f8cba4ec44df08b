/**
 * The Keycloak-shaped server of the demo (src/demo/targets/identity/server.ts) with the group and role model a real
 * realm has, for the probe's privileged-user resolution. Shapes follow the Admin REST API reference,
 * https://www.keycloak.org/docs-api/latest/rest-api:
 * - GroupRepresentation {id, name, path, parentId, subGroupCount, subGroups, …}. Keycloak >= 23 serves
 *   GET /groups/{id}/children (first/max) and leaves `subGroups` empty; older versions answer 404 there and nest the
 *   whole hierarchy in `subGroups` of GET /group-by-path/{path} and GET /groups/{id} (`legacyGroups`).
 * - RoleRepresentation {id, name, description, composite, clientRole, containerId} from GET /roles (first/max,
 *   briefRepresentation), GET /roles/{role-name}, GET /roles-by-id/{role-id}/composites (realm and client roles),
 *   GET /clients/{id}/roles[/{role-name}]; containerId is the realm id or the client's internal id.
 * - Holders: GET /roles/{role-name}/users | /groups and GET /clients/{id}/roles/{role-name}/users | /groups list
 *   direct role mappings only (first/max); GET /groups/{id}/members lists direct members only.
 * - GET /clients?clientId=… → [ClientRepresentation] on an exact match, [] otherwise.
 * - Unknown roles, groups and clients: 404 with Keycloak's `{"error": "…"}` body.
 * Roles are written as refs: "name" for a realm role, "client-id/name" for a client role.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { keycloakHandler, type KcRealm, type KcServerOptions, type KcUser } from '../../../../src/demo/targets/identity/server';
import { send } from '../helpers';

export interface FakeRole {
  name: string;
  /** Refs of the roles this composite contains. */
  composites?: string[];
}

export interface FakeModel {
  /** Keycloak < 23: no /groups/{id}/children; nested subGroups instead. */
  legacyGroups?: boolean;
  /** Realm roles beyond the plain names in `realm.roles`. */
  roles?: FakeRole[];
  /** Client roles by client id (clients listed here exist even if not in `realm.clients`). */
  clientRoles?: Record<string, FakeRole[]>;
  /** Role refs mapped to groups, by group path. */
  groupRoles?: Record<string, string[]>;
}

export type FakeUser = KcUser & { clientRoles?: string[] };
export type FakeRealm = Omit<KcRealm, 'users'> & { users: FakeUser[]; model?: FakeModel };

interface Role {
  id: string;
  name: string;
  ref: string;
  client?: { id: string; clientId: string };
  composites: string[];
}

const clientUuid = (clientId: string) => `client-${clientId.replace(/[^a-z0-9-]/gi, '_')}`;

function rolesOf(realm: FakeRealm): Role[] {
  const m = realm.model ?? {};
  const realmRoles: FakeRole[] = [...(realm.roles ?? []).map((name) => ({ name })), ...(m.roles ?? [])];
  const out: Role[] = realmRoles.map((r) => ({ id: `role-${r.name}`, name: r.name, ref: r.name, composites: r.composites ?? [] }));
  for (const [clientId, list] of Object.entries(m.clientRoles ?? {})) {
    for (const r of list)
      out.push({
        id: `crole-${clientId}-${r.name}`,
        name: r.name,
        ref: `${clientId}/${r.name}`,
        client: { id: clientUuid(clientId), clientId },
        composites: r.composites ?? [],
      });
  }
  return out;
}

export function keycloakFake(realms: Record<string, FakeRealm>, opts: KcServerOptions = {}) {
  const handler = keycloakHandler(realms as Record<string, KcRealm>, {
    ...opts,
    intercept: (req, res, path) => opts.intercept?.(req, res, path) || model(req, res, path),
  });

  function model(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    const match = /^\/admin\/realms\/([^/]+)(\/.*)$/.exec(path);
    if (!match || req.method !== 'GET') return false;
    const realm = realms[decodeURIComponent(match[1])];
    const auth = req.headers.authorization ?? '';
    const t = auth.startsWith('Bearer ') ? handler.tokens.get(auth.slice(7)) : undefined;
    // Anything unauthenticated, foreign or forbidden: the demo server answers as it always does.
    if (!realm || !t || !t.admin || t.expiresAt < Date.now() || t.realm !== realm.realm.realm || t.noUserRead) return false;
    return answer(realm, match[2], new URL(req.url ?? '/', 'http://x').searchParams, res);
  }

  return handler;
}

function answer(realm: FakeRealm, rest: string, q: URLSearchParams, res: ServerResponse): boolean {
  const m = realm.model ?? {};
  const roles = rolesOf(realm);
  const page = <T>(list: T[]) => {
    const first = Math.max(0, Number(q.get('first') ?? 0) || 0);
    const max = Math.max(1, Math.min(1000, Number(q.get('max') ?? 100) || 100));
    return list.slice(first, first + max);
  };
  const notFound = (error: string) => (send(res, 404, { error }), true);
  const ok = (body: unknown) => (send(res, 200, body), true);
  const parentPath = (p: string) => p.slice(0, p.lastIndexOf('/'));
  const childrenOf = (g: { path: string }) => realm.groups.filter((x) => parentPath(x.path) === g.path);
  const parentOf = (g: { path: string }) => realm.groups.find((x) => x.path === parentPath(g.path));
  const brief = (g: FakeRealm['groups'][number]) => ({
    id: g.id,
    name: g.name,
    path: g.path,
    ...(parentOf(g) ? { parentId: parentOf(g)!.id } : {}),
  });
  const groupRep = (g: FakeRealm['groups'][number]): Record<string, unknown> =>
    m.legacyGroups
      ? { ...brief(g), attributes: {}, realmRoles: [], clientRoles: {}, subGroups: childrenOf(g).map(groupRep) }
      : { ...brief(g), subGroupCount: childrenOf(g).length, attributes: {}, realmRoles: [], clientRoles: {}, subGroups: [] };
  const roleRep = (r: Role) => ({
    id: r.id,
    name: r.name,
    description: '',
    composite: r.composites.length > 0,
    clientRole: Boolean(r.client),
    containerId: r.client ? r.client.id : realm.realm.realm,
    ...(q.get('briefRepresentation') === 'false' ? { attributes: {} } : {}),
  });
  const userBrief = (u: KcUser) => ({
    id: u.id,
    username: u.username,
    enabled: u.enabled !== false,
    emailVerified: false,
    createdTimestamp: 1735689600000,
  });
  const holders = (r: Role, sub: string) => {
    if (sub === 'users')
      return ok(page(realm.users.filter((u) => (r.client ? u.clientRoles : u.realmRoles)?.includes(r.ref)).map(userBrief)));
    return ok(page(realm.groups.filter((g) => m.groupRoles?.[g.path]?.includes(r.ref)).map(brief)));
  };
  const clientIds = [...new Set([...realm.clients.map((c) => c.clientId), ...Object.keys(m.clientRoles ?? {})])];
  const clientRep = (clientId: string) => ({
    id: clientUuid(clientId),
    clientId,
    enabled: true,
    protocol: 'openid-connect',
    publicClient: false,
  });
  let x: RegExpExecArray | null;

  if ((x = /^\/group-by-path\/(.+)$/.exec(rest))) {
    const g = realm.groups.find((y) => y.path === `/${x![1].split('/').map(decodeURIComponent).join('/')}`);
    return g ? ok(groupRep(g)) : notFound('Group path does not exist');
  }
  if ((x = /^\/groups\/([^/]+)(\/children)?$/.exec(rest))) {
    const g = realm.groups.find((y) => y.id === decodeURIComponent(x![1]));
    if (x[2] && m.legacyGroups) return notFound('Unable to find matching target resource method');
    if (!g) return notFound('Could not find group by id');
    return ok(x[2] ? page(childrenOf(g).map(groupRep)) : groupRep(g));
  }
  if (rest === '/roles') return ok(page(roles.filter((r) => !r.client).map(roleRep)));
  if ((x = /^\/roles\/([^/]+)(?:\/(users|groups))?$/.exec(rest))) {
    const r = roles.find((y) => !y.client && y.name === decodeURIComponent(x![1]));
    if (!r) return notFound('Could not find role');
    return x[2] ? holders(r, x[2]) : ok(roleRep(r));
  }
  if ((x = /^\/roles-by-id\/([^/]+)\/composites$/.exec(rest))) {
    const r = roles.find((y) => y.id === decodeURIComponent(x![1]));
    if (!r) return notFound('Could not find role with id');
    return ok(
      r.composites
        .map((ref) => roles.find((y) => y.ref === ref))
        .filter((y): y is Role => Boolean(y))
        .map(roleRep),
    );
  }
  if (rest === '/clients') {
    const wanted = q.get('clientId');
    return ok(page(clientIds.filter((c) => wanted === null || c === wanted).map(clientRep)));
  }
  if ((x = /^\/clients\/([^/]+)\/roles(?:\/([^/]+)(?:\/(users|groups))?)?$/.exec(rest))) {
    const clientId = clientIds.find((c) => clientUuid(c) === decodeURIComponent(x![1]));
    if (!clientId) return notFound('Could not find client');
    const own = roles.filter((y) => y.client?.clientId === clientId);
    if (!x[2]) return ok(page(own.map(roleRep)));
    const r = own.find((y) => y.name === decodeURIComponent(x![2]));
    if (!r) return notFound('Could not find role');
    return x[3] ? holders(r, x[3]) : ok(roleRep(r));
  }
  return false;
}
