/**
 * Who is privileged in a Keycloak realm, resolved the way Keycloak itself evaluates membership:
 * - members of each `privilegedGroups` path and of its subgroups at any depth (subgroups inherit role mappings);
 * - holders of each `privilegedRoles` entry — a realm role "name" or a client role "client-id/name" (the part after
 *   the last "/" is the role, e.g. "realm-management/realm-admin") — directly, through a group that has the role
 *   mapped (and that group's subgroups), or through a composite role that contains it at any depth (realm and client
 *   composites, cycles guarded).
 * Admin REST API (https://www.keycloak.org/docs-api/latest/rest-api), lists read with first/max paging:
 * - GET /admin/realms/{realm}/group-by-path/{path}                  GroupRepresentation of a configured group
 * - GET /admin/realms/{realm}/groups/{id}/children                  subgroups (Keycloak >= 23); a 404 means an older
 *   Keycloak: then the GroupRepresentation's nested `subGroups` (GET /groups/{id} when a listing left them out)
 * - GET /admin/realms/{realm}/groups/{id}/members                   direct members
 * - GET /admin/realms/{realm}/roles/{role-name}                     a configured realm role (404 → error naming it)
 * - GET /admin/realms/{realm}/clients?clientId={client-id}          the internal id of a configured role's client
 * - GET /admin/realms/{realm}/clients/{id}/roles/{role-name}        a configured client role (404 → error naming it)
 * - GET /admin/realms/{realm}/roles?briefRepresentation=false       realm roles, to find the composites
 * - GET /admin/realms/{realm}/clients/{id}/roles?briefRepresentation=false   the configured clients' roles, likewise
 * - GET /admin/realms/{realm}/roles-by-id/{role-id}/composites      what a composite contains (realm and client roles)
 * - GET /admin/realms/{realm}/roles/{role-name}/users, /roles/{role-name}/groups              realm-role holders
 * - GET /admin/realms/{realm}/clients/{id}/roles/{role-name}/users, …/groups                  client-role holders
 * Every group, role and client is fetched at most once per run; disabled users are left out.
 */
import { ProviderApiError } from '../../errors';
import { mapLimit, type ApiClient } from './client';

export interface PrivilegedUser {
  id: string;
  username?: string;
  /** How the user is privileged, e.g. "group /admins/ops" or "role super-admin (contains realm-admin)". */
  via: string;
}

export interface PrivilegedScope {
  realm: string;
  privilegedGroups: string[];
  privilegedRoles: string[];
}

interface KcUser {
  id: string;
  username?: string;
  enabled?: boolean;
}

interface KcGroup {
  id?: string;
  name?: string;
  path?: string;
  subGroupCount?: number;
  subGroups?: KcGroup[];
}

interface KcRole {
  id?: string;
  name?: string;
  composite?: boolean;
  clientRole?: boolean;
  /** The realm's id for realm roles, the client's internal id for client roles. */
  containerId?: string;
}

type Role = Required<Pick<KcRole, 'id' | 'name'>> & KcRole;

const PARALLEL = 4;

/** Enabled privileged users of the realm (`r` is "/admin/realms/{realm}"); more than `maxUsers` → ProviderApiError. */
export async function resolvePrivilegedUsers(api: ApiClient, r: string, o: PrivilegedScope, maxUsers: number): Promise<PrivilegedUser[]> {
  return new Resolver(api, r, o, maxUsers).run();
}

const is404 = (e: unknown) => e instanceof ProviderApiError && /HTTP 404/.test(e.message);
const enc = encodeURIComponent;

class Resolver {
  private readonly users = new Map<string, KcUser & { via: string }>();
  private readonly groupsSeen = new Set<string>();
  private readonly rolesSeen = new Set<string>();
  private readonly clients = new Map<string, string>();
  private readonly clientNames = new Map<string, string>();
  /** The server has no /groups/{id}/children (Keycloak < 23): use nested subGroups. */
  private legacyGroups = false;

  constructor(
    private readonly api: ApiClient,
    private readonly r: string,
    private readonly o: PrivilegedScope,
    private readonly maxUsers: number,
  ) {}

  async run(): Promise<PrivilegedUser[]> {
    for (const path of new Set(this.o.privilegedGroups)) await this.expandGroups([await this.groupByPath(path)], 'group');
    if (this.o.privilegedRoles.length) {
      const configured: Role[] = [];
      for (const spec of new Set(this.o.privilegedRoles)) configured.push(await this.configuredRole(spec));
      const parents = await this.containment(configured);
      for (const target of configured) {
        // Every role that holds `target`: itself, then the composites containing it, nearest first (cycle-safe).
        const seen = new Set<string>([target.id]);
        const queue: Role[] = [target];
        for (let i = 0; i < queue.length; i++) {
          for (const p of parents.get(queue[i].id) ?? []) {
            if (seen.has(p.id)) continue;
            seen.add(p.id);
            queue.push(p);
          }
        }
        for (const role of queue) {
          const label = this.label(role);
          await this.roleHolders(role, role.id === target.id ? `role ${label}` : `role ${label} (contains ${this.label(target)})`);
        }
      }
    }
    // Disabled accounts cannot sign in, so they neither need nor lack a second factor.
    return [...this.users.values()].filter((u) => u.enabled !== false).map((u) => ({ id: u.id, username: u.username, via: u.via }));
  }

  private add(list: KcUser[], via: string): void {
    for (const u of list) {
      if (!u || typeof u.id !== 'string' || this.users.has(u.id)) continue;
      this.users.set(u.id, { id: u.id, username: u.username, enabled: u.enabled, via });
      if (this.users.size > this.maxUsers)
        throw new ProviderApiError(`more than ${this.maxUsers} privileged users; raise maxPrivilegedUsers to measure them all`);
    }
  }

  private async groupByPath(path: string): Promise<KcGroup> {
    const clean = path.replace(/^\/+/, '');
    try {
      const { data } = await this.api.getJson<KcGroup>(`${this.r}/group-by-path/${clean.split('/').map(enc).join('/')}`);
      if (!data?.id) throw new ProviderApiError(`Keycloak returned group "/${clean}" without an id`);
      return { path: `/${clean}`, ...data };
    } catch (e) {
      if (is404(e)) throw new ProviderApiError(`privileged group "/${clean}" does not exist in realm ${this.o.realm}`);
      throw e;
    }
  }

  /** Members of the groups and of all their subgroups, breadth first, each group read once. */
  private async expandGroups(groups: KcGroup[], via: string): Promise<void> {
    let level = groups;
    while (level.length) {
      const fresh = level.filter((g): g is KcGroup & { id: string } => typeof g?.id === 'string' && !this.groupsSeen.has(g.id));
      fresh.forEach((g) => this.groupsSeen.add(g.id));
      const read = await mapLimit(fresh, PARALLEL, async (g) => ({
        members: await this.api.getAllOffset<KcUser>(`${this.r}/groups/${enc(g.id)}/members`, { briefRepresentation: true }),
        children: await this.children(g),
      }));
      read.forEach((x, i) => this.add(x.members, `${via} ${fresh[i].path ?? fresh[i].name ?? fresh[i].id}`));
      level = read.flatMap((x) => x.children);
    }
  }

  private async children(g: KcGroup & { id: string }): Promise<KcGroup[]> {
    if (g.subGroupCount === 0) return [];
    if (!this.legacyGroups) {
      try {
        return await this.api.getAllOffset<KcGroup>(`${this.r}/groups/${enc(g.id)}/children`, { briefRepresentation: true });
      } catch (e) {
        if (!is404(e)) throw e;
        this.legacyGroups = true;
      }
    }
    if (Array.isArray(g.subGroups)) return g.subGroups;
    // A group listed by a role has no subGroups in it; before Keycloak 23, GET /groups/{id} carries the hierarchy.
    const { data } = await this.api.getJson<KcGroup>(`${this.r}/groups/${enc(g.id)}`);
    return Array.isArray(data?.subGroups) ? data.subGroups : [];
  }

  private async clientId(clientId: string, spec: string): Promise<string> {
    const known = this.clients.get(clientId);
    if (known) return known;
    const { data } = await this.api.getJson<Array<{ id?: string; clientId?: string }>>(`${this.r}/clients`, {
      clientId,
      first: 0,
      max: 10,
    });
    const c = Array.isArray(data) ? data.find((x) => x?.clientId === clientId && typeof x.id === 'string') : undefined;
    if (!c?.id) throw new ProviderApiError(`client "${clientId}" of privileged role "${spec}" does not exist in realm ${this.o.realm}`);
    this.clients.set(clientId, c.id);
    this.clientNames.set(c.id, clientId);
    return c.id;
  }

  private async configuredRole(spec: string): Promise<Role> {
    const slash = spec.lastIndexOf('/');
    const name = spec.slice(slash + 1);
    const path =
      slash < 0
        ? `${this.r}/roles/${enc(name)}`
        : `${this.r}/clients/${enc(await this.clientId(spec.slice(0, slash), spec))}/roles/${enc(name)}`;
    let role: KcRole;
    try {
      role = (await this.api.getJson<KcRole>(path)).data;
    } catch (e) {
      if (!is404(e)) throw e;
      throw new ProviderApiError(
        slash < 0
          ? `privileged role "${spec}" does not exist in realm ${this.o.realm}`
          : `privileged role "${spec}" does not exist: client "${spec.slice(0, slash)}" has no role "${name}"`,
      );
    }
    if (typeof role?.id !== 'string') throw new ProviderApiError(`Keycloak returned role "${spec}" without an id`);
    return { ...role, id: role.id, name: role.name ?? name };
  }

  /** child role id → the composites that contain it, from the realm's composites and the configured clients'. */
  private async containment(configured: Role[]): Promise<Map<string, Role[]>> {
    const roots = await this.api.getAllOffset<KcRole>(`${this.r}/roles`, { briefRepresentation: false });
    for (const c of new Set(configured.filter((x) => x.clientRole && x.containerId).map((x) => x.containerId!))) {
      roots.push(...(await this.api.getAllOffset<KcRole>(`${this.r}/clients/${enc(c)}/roles`, { briefRepresentation: false })));
    }
    const parents = new Map<string, Role[]>();
    const read = new Set<string>();
    let level = roots.filter((x): x is Role => x?.composite === true && typeof x.id === 'string');
    while (level.length) {
      const fresh = level.filter((x) => !read.has(x.id)); // a composite cycle ends here
      fresh.forEach((x) => read.add(x.id));
      const inner = await mapLimit(
        fresh,
        PARALLEL,
        async (x) => (await this.api.getJson<KcRole[]>(`${this.r}/roles-by-id/${enc(x.id)}/composites`)).data,
      );
      level = [];
      inner.forEach((list, i) => {
        for (const child of Array.isArray(list) ? list : []) {
          if (typeof child?.id !== 'string') continue;
          parents.set(child.id, [...(parents.get(child.id) ?? []), fresh[i]]);
          if (child.composite) level.push({ ...child, id: child.id, name: child.name ?? child.id });
        }
      });
    }
    return parents;
  }

  private label(role: Role): string {
    return role.clientRole ? `${this.clientNames.get(role.containerId ?? '') ?? role.containerId}/${role.name}` : role.name;
  }

  /** Direct holders of the role, and members (with subgroups) of the groups it is mapped to. */
  private async roleHolders(role: Role, via: string): Promise<void> {
    if (this.rolesSeen.has(role.id)) return;
    this.rolesSeen.add(role.id);
    const base = role.clientRole
      ? `${this.r}/clients/${enc(role.containerId ?? '')}/roles/${enc(role.name)}`
      : `${this.r}/roles/${enc(role.name)}`;
    this.add(await this.api.getAllOffset<KcUser>(`${base}/users`, { briefRepresentation: true }), via);
    await this.expandGroups(await this.api.getAllOffset<KcGroup>(`${base}/groups`, { briefRepresentation: true }), `${via} through group`);
  }
}
