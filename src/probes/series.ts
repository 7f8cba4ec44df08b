/**
 * The series a probe family wrote for each check, written once for every family: a check that moves to another
 * element or leaves the configuration leaves no stale series behind (prom-client keeps a series until removed).
 */

/** A metric whose series can be removed by their labels (prom-client's Gauge, Counter, Histogram). */
export interface Removable {
  remove(labels: Record<string, string | number>): void;
}

type Labels = Record<string, string | number>;

/**
 * One key per label set, whatever the order its labels were written in (on the recorder's hot path: every result,
 * every series). Label names cannot contain a comma; the values are JSON-quoted, so no two sets share a key.
 */
function keyOf(labels: Labels): string {
  const names = Object.keys(labels);
  if (names.length > 1) names.sort();
  return `${names.join(',')}${JSON.stringify(names.map((n) => labels[n]))}`;
}

export class SeriesByCheck {
  private readonly checks = new Map<string, { element: string; written: Map<Removable, Map<string, Labels>> }>();

  /**
   * The `{ check, element }` labels of a result. When the check's element changed since its last result, the series
   * written under the old element are removed first.
   */
  labels(checkId: string, element: string): { check: string; element: string } {
    const known = this.checks.get(checkId);
    if (known && known.element !== element) this.forget(checkId);
    if (!this.checks.has(checkId)) this.checks.set(checkId, { element, written: new Map() });
    return { check: checkId, element };
  }

  /** Notes that `metric` holds a series with `labels` (whose `check` label names the check), to remove it later. */
  wrote(metric: Removable, labels: { check: string } & Labels): void {
    const c = this.checks.get(labels.check);
    if (!c) throw new Error(`SeriesByCheck: labels(${JSON.stringify(labels.check)}, …) must come before wrote()`);
    let sets = c.written.get(metric);
    if (!sets) c.written.set(metric, (sets = new Map<string, Labels>()));
    sets.set(keyOf(labels), labels);
  }

  /** Removes one series now (a value no longer measured) and stops tracking it. */
  remove(metric: Removable, labels: { check: string } & Labels): void {
    metric.remove(labels);
    this.checks.get(labels.check)?.written.get(metric)?.delete(keyOf(labels));
  }

  /** The element of the check's last result, if it has one. */
  element(checkId: string): string | undefined {
    return this.checks.get(checkId)?.element;
  }

  /** Removes every series written for the check and forgets it. */
  forget(checkId: string): void {
    const c = this.checks.get(checkId);
    if (!c) return;
    for (const [metric, sets] of c.written) for (const labels of sets.values()) metric.remove(labels);
    this.checks.delete(checkId);
  }
}
