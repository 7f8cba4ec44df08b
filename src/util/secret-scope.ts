/**
 * The secrets of the check being run, available to whatever code runs on its behalf (the runner opens the scope
 * around a probe). Code that clips a target's answer scrubs first, so a cut can never leave a piece of a token
 * too short to recognise later; code that follows redirects withholds the headers that carry them.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Scrubber } from './scrub';

interface Scope {
  secrets: readonly string[];
  scrubber: Scrubber;
}

const storage = new AsyncLocalStorage<Scope>();

/**
 * Runs `fn` with these secrets in scope; pass the scrubber when the caller has one built already (it is not cheap).
 * With no secrets there is nothing to scope: `fn` runs as it is, and a process whose checks carry no secrets never
 * turns on the async-context tracking (a cost on every promise) that a scope needs.
 */
export function withSecrets<T>(secrets: readonly string[], fn: () => T, scrubber?: Scrubber): T {
  if (!secrets.length && !storage.getStore()) return fn();
  return storage.run({ secrets, scrubber: scrubber ?? new Scrubber(secrets) }, fn);
}

/** The resolved secret values of the running check; empty outside a run. */
export function currentSecrets(): readonly string[] {
  return storage.getStore()?.secrets ?? [];
}

/** `s` with the running check's secrets removed (unchanged outside a run). */
export function scrubText(s: string): string {
  const scope = storage.getStore();
  return scope ? scope.scrubber.text(s) : s;
}
