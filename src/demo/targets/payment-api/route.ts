/** What a route of the payment-API stub is; route files (routes.ts, snap.ts) import it from here. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface StubSettings {
  /** Extra delay before answering, ms (PENGAWAS_DEMO_DELAY_MS). */
  delayMs: number;
  /** Share of requests answered with 500 (PENGAWAS_DEMO_ERROR_RATE, 0..1). */
  errorRate: number;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer, settings: StubSettings) => void | Promise<void>;

export interface Route {
  method: string;
  /** Exact path, or a prefix when it ends with `*`. */
  path: string;
  handler: Handler;
}
