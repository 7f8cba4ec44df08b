/**
 * Multi-row INSERTs, for SQLite and PostgreSQL alike: rows are sent in chunks of at most `rowsPerInsert`, each one
 * statement with numbered parameters. Under SQLite's 32,766 bound parameters per statement, keep rowsPerInsert ×
 * columns below that.
 */
import type { Queryable } from './types';

export async function insertRows(
  tx: Queryable,
  table: string,
  columns: readonly string[],
  rows: unknown[][],
  o: { rowsPerInsert: number; suffix?: string },
): Promise<void> {
  const n = columns.length;
  for (let i = 0; i < rows.length; i += o.rowsPerInsert) {
    const chunk = rows.slice(i, i + o.rowsPerInsert);
    const values = chunk.map((_, r) => `(${columns.map((_c, c) => `$${r * n + c + 1}`).join(', ')})`).join(', ');
    await tx.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}${o.suffix ?? ''}`, chunk.flat());
  }
}
