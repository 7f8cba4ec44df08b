/** The demo's targets (the table), started in this order by `pengawas demo`. Adding one = a folder under targets/ and one line here. */
import type { DemoTarget } from './types';
import { paymentApi } from './targets/payment-api';
import { website } from './targets/website';
import { snapCredentials } from './targets/payment-api/snap';
import { identity } from './targets/identity';
import { tlsEndpoints } from './targets/tls';

export const DEMO_TARGETS: DemoTarget[] = [paymentApi, snapCredentials, website, identity, tlsEndpoints];
