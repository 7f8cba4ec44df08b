/**
 * The Alertmanager silence of a maintenance window as evidence (#maintenance-silences), on SQLite and PostgreSQL:
 * recorded only for a window that exists, with a silence id of Alertmanager's shape; attached to the window with its
 * expiry; hash-chained, so an edited silence id is named by `evidence verify --store`; and a `#maintenance` reader
 * still sees the window as not ended (the silence records live in their own stream).
 */
import { addMaintenance, listMaintenance } from '../../src/evidence/maintenance';
import { recordSilence, silencesOf } from '../../src/evidence/maintenance-silences';
import { runOp } from '../../src/evidence/operations';
import type { EvidenceStore } from '../../src/evidence/store';
import { verifyStore } from '../../src/evidence/verify-store';
import { BACKENDS, makeEnv, type TestEnv } from './helpers';

const ID = '6e1f3c1e-4b1d-4a53-9c87-2f8f0d1c9a11';
const AM = 'http://127.0.0.1:9093';

describe.each(BACKENDS)('maintenance silences on %s', (backend) => {
  let env: TestEnv;
  let store: EvidenceStore;
  let windowId: number;
  beforeAll(async () => {
    env = await makeEnv(backend);
    store = await env.open();
    const now = new Date();
    const w = await addMaintenance(store, {
      scope: { kind: 'check', value: 'api-tls' },
      startsAt: now,
      endsAt: new Date(now.getTime() + 3_600_000),
      reason: 'switch upgrade',
      by: 'Budi',
    });
    windowId = w.id;
  });
  afterAll(async () => {
    await store.close();
    await env.cleanup();
  });

  it('refuses a silence for no window, or an id that is not a silence id, naming each', async () => {
    await expect(recordSilence(store, { windowId: 99, action: 'created', silenceId: ID, alertmanager: AM })).rejects.toThrow(
      'invalid maintenance silence: no maintenance window 99',
    );
    await expect(recordSilence(store, { windowId, action: 'created', silenceId: 'a b', alertmanager: 'http://u:p@am' })).rejects.toThrow(
      /silenceId "a b" is not an Alertmanager silence id.*alertmanager "http:\/\/u:p@am" is not an http\(s\) URL without credentials|alertmanager "http:\/\/u:p@am" is not an http\(s\) URL without credentials; silenceId "a b"/,
    );
  });

  it('attaches the silence and its expiry to the window; a #maintenance reader still sees the window open', async () => {
    const matchers = [{ name: 'check', value: 'api-tls', isRegex: false, isEqual: true }];
    const created = await runOp(store, 'recordMaintenanceSilence', {
      windowId,
      action: 'created',
      silenceId: ID,
      alertmanager: AM,
      matchers,
    });
    expect(created.silence).toMatchObject({ id: ID, alertmanager: AM, matchers });
    expect(created.silence?.expiredAt).toBeUndefined();
    await recordSilence(store, { windowId, action: 'expired', silenceId: ID, alertmanager: AM });
    expect((await silencesOf(store.db, [windowId])).get(windowId)?.expiredAt).toBeDefined();
    const [w] = await listMaintenance(store.db);
    expect(w.ended).toBeUndefined();
    const [listed] = await runOp(store, 'listMaintenance', {});
    expect(listed.silence?.id).toBe(ID);
    expect((await verifyStore(store.db, store.timezone)).problems).toEqual([]);
  });

  it('an edited silence id is named by verification', async () => {
    await store.db.run(`UPDATE evidence_maintenance_silences SET silence_id = $1 WHERE action = 'created'`, ['0000-edited']);
    const v = await verifyStore(store.db, store.timezone);
    expect(v.problems).toEqual([
      expect.objectContaining({
        table: 'evidence_maintenance_silences',
        problem: 'column silence_id does not match the hashed record (the row was edited)',
      }),
    ]);
  });
});
