/**
 * A one-shot run warms Node's HTTP client (one loopback request of this process, never the target) only for the
 * probe types whose measurements time HTTP (`timesHttp`): the ttfb of `pengawas probe http` stays as a running
 * monitor measures it (bench/cli-ttfb.ts), and `pengawas probe tls` starts its scan without the detour.
 */
import { prepareOneShot } from '../../src/cli/one-shot';
import { timedRequest } from '../../src/net/timed-request';
import { getProbe, probeTypes } from '../../src/probes/registry';

jest.mock('../../src/net/timed-request', () => ({ timedRequest: jest.fn(() => Promise.resolve({})) }));

const request = timedRequest as jest.MockedFunction<typeof timedRequest>;

describe('prepareOneShot', () => {
  it('warms HTTP for http, transaction and mfa, over loopback, and for no other probe type', async () => {
    const warmed: string[] = [];
    for (const type of probeTypes()) {
      request.mockClear();
      await prepareOneShot(getProbe(type)!);
      if (request.mock.calls.length) warmed.push(type);
      for (const [req] of request.mock.calls) expect(req.url.hostname).toBe('127.0.0.1');
    }
    expect(warmed.sort()).toEqual(['http', 'mfa', 'transaction']);
  });

  it('does nothing when turned off for the cold-path benchmark', async () => {
    request.mockClear();
    process.env.PENGAWAS_ONE_SHOT_PREPARE = '0';
    try {
      await prepareOneShot(getProbe('http')!);
    } finally {
      delete process.env.PENGAWAS_ONE_SHOT_PREPARE;
    }
    expect(request).not.toHaveBeenCalled();
  });
});
