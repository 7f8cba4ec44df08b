/**
 * The Alertmanager side of `maintenance add|end` (settings `maintenance.alertmanager`): after the window is recorded,
 * a silence for its checks is made and its id recorded with the window; `end` expires it. The window never depends
 * on Alertmanager: when it cannot be reached the window stays recorded, the error is printed on stderr naming the
 * Alertmanager and the window, and pengawas_check_in_maintenance still silences the alerts through the rules.
 */
import type { Settings } from '../../config/settings';
import { resolveSecrets } from '../../config/secrets';
import type { EvidenceHandle } from '../../evidence/access';
import type { MaintenanceWindow } from '../../evidence/maintenance';
import { createSilence, expireSilence, silenceMatchers, type AlertmanagerTarget } from '../../alerting/silences';

/** The configured Alertmanager with its secret references resolved, or undefined when none is configured. */
export function alertmanagerOf(settings: Settings): AlertmanagerTarget | undefined {
  const am = settings.maintenance.alertmanager;
  if (!am) return undefined;
  const { value } = resolveSecrets({ bearerToken: am.bearerToken, password: am.basicAuth?.password });
  const headers: Record<string, string> = {};
  if (value.bearerToken) headers.authorization = `Bearer ${value.bearerToken}`;
  if (am.basicAuth && value.password !== undefined)
    headers.authorization = `Basic ${Buffer.from(`${am.basicAuth.username}:${value.password}`).toString('base64')}`;
  return { url: am.url, headers, timeoutMs: am.timeout };
}

const problem = (text: string) => process.stderr.write(`pengawas: ${text}\n`);

/** Makes the window's silence and records it; returns the window as now recorded, and the error if any. */
export async function silenceWindow(
  ev: EvidenceHandle,
  settings: Settings,
  w: MaintenanceWindow,
): Promise<{ window: MaintenanceWindow; error?: string }> {
  try {
    // Resolved here, after the window is recorded: a missing ${env:…} is reported like an unreachable Alertmanager.
    const am = alertmanagerOf(settings);
    if (!am) return { window: w };
    const covered = w.scope.kind === 'label' ? await ev.call('coveredChecks', { scope: w.scope }) : null;
    const m = silenceMatchers(w.scope, covered);
    if ('none' in m) {
      problem(`maintenance window ${w.id}: no Alertmanager silence made: ${m.none}`);
      return { window: w, error: m.none };
    }
    const silenceId = await createSilence(am, {
      matchers: m.matchers,
      startsAt: w.startsAt,
      endsAt: w.endsAt,
      createdBy: w.by,
      comment: `${w.reason} (pengawas maintenance window ${w.id})`,
    });
    const window = await ev.call('recordMaintenanceSilence', {
      windowId: w.id,
      action: 'created',
      silenceId,
      alertmanager: am.url,
      matchers: m.matchers,
    });
    return { window };
  } catch (e) {
    const msg = (e as Error).message;
    problem(
      `maintenance window ${w.id} is recorded and its alerts are silenced by the rules (pengawas_check_in_maintenance), but no Alertmanager silence was made: ${msg}`,
    );
    return { window: w, error: msg };
  }
}

/** Expires the window's silence (if it has one not yet expired) and records the expiry. */
export async function expireWindowSilence(
  ev: EvidenceHandle,
  settings: Settings,
  w: MaintenanceWindow,
): Promise<{ window: MaintenanceWindow; error?: string }> {
  const s = w.silence;
  if (!s || s.expiredAt) return { window: w };
  const left = `silence ${s.id} in ${s.alertmanager} stays until ${w.endsAt} unless expired there (amtool silence expire ${s.id})`;
  try {
    const am = alertmanagerOf(settings);
    if (!am) {
      const msg = `no maintenance.alertmanager is configured here, so the ${left}`;
      problem(`maintenance window ${w.id} is ended; ${msg}`);
      return { window: w, error: msg };
    }
    await expireSilence({ ...am, url: s.alertmanager }, s.id);
    return {
      window: await ev.call('recordMaintenanceSilence', {
        windowId: w.id,
        action: 'expired',
        silenceId: s.id,
        alertmanager: s.alertmanager,
      }),
    };
  } catch (e) {
    const msg = `${(e as Error).message}; the ${left}`;
    problem(`maintenance window ${w.id} is ended, but its Alertmanager silence was not expired: ${msg}`);
    return { window: w, error: msg };
  }
}
