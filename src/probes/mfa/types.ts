/** What an identity provider is to the mfa probe's posture check (the interface; the table is registry.ts). */
import type { ApiClient, TokenSource } from './client';
import type { PostureOutput } from './findings';
import type { MfaOptions } from './options';

export type PostureOptions = NonNullable<MfaOptions['posture']>;
export type ProviderName = PostureOptions['provider'];

export interface IdentityProvider<K extends ProviderName = ProviderName> {
  /** How the admin API is signed in to (client credentials, API token, private-key JWT). */
  auth(base: URL, o: Extract<PostureOptions, { provider: K }>): TokenSource;
  /** Reads enforcement and enrolment from the admin API; throws a ProbeError when it cannot decide. */
  posture(api: ApiClient, o: Extract<PostureOptions, { provider: K }>, maxUsers: number): Promise<PostureOutput>;
}
