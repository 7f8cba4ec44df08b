/** The demo's targets, started in this order by `pengawas demo`. Adding one = one file/folder and one line. */
import type { DemoTarget } from '../target';
import { paymentApi } from './payment-api';
import { website } from './website';
import { snapCredentials } from './payment-api/snap';
import { identity } from './identity';
import { tlsEndpoints } from './tls';

export const DEMO_TARGETS: DemoTarget[] = [paymentApi, snapCredentials, website, identity, tlsEndpoints];
