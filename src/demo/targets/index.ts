/** The demo's targets, started in this order by `pengawas demo`. Adding one = one file/folder and one line. */
import type { DemoTarget } from '../target';
import { paymentApi } from './payment-api';

export const DEMO_TARGETS: DemoTarget[] = [paymentApi];
