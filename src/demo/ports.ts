/**
 * Fixed loopback ports of the demo targets, so `checks/demo/*.yaml` can name them. Each target owns one port;
 * `pengawas demo` reports a clear error when one is taken.
 */
export const DEMO_PORTS = {
  /** HTTPS payment-API stub on the demo CA (health, payments, SNAP flow). */
  paymentApi: 19443,
  /** Plain HTTP public website: status page, fee schedule, terms, security.txt. */
  website: 19480,
  /** TLS endpoints: one following the Mozilla intermediate profile, one weak. */
  tlsGood: 19444,
  tlsWeak: 19445,
  /** Keycloak-shaped identity provider (admin API + token endpoint). */
  identity: 19447,
} as const;
