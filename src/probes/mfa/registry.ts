/** Identity providers the mfa probe reads posture from. Adding one = its options in options.ts, a file here, one line below. */
import { entraAuth, entraPosture } from './entra';
import { keycloakAuth, keycloakPosture } from './keycloak';
import { oktaAuth, oktaPosture } from './okta';
import type { IdentityProvider, PostureOptions, ProviderName } from './types';

export const PROVIDERS: { [K in ProviderName]: IdentityProvider<K> } = {
  keycloak: { auth: keycloakAuth, posture: keycloakPosture },
  okta: { auth: oktaAuth, posture: oktaPosture },
  entra: { auth: (_base, o) => entraAuth(o), posture: entraPosture },
};

/** The provider `o` names; call its methods with this same `o`. */
export function providerOf(o: PostureOptions): IdentityProvider {
  // PROVIDERS[k] takes the options of kind k; TypeScript does not tie the lookup to the `o` passed to it later.
  return PROVIDERS[o.provider] as IdentityProvider;
}
