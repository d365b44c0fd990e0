import type { Queryable } from './database.js';

/** What an agent told the pipeline about one delivery: synced, or refused with every reason. */
export interface DeliveryRow {
  id: number;
  outcome: 'synced' | 'refused';
  delivery: string | null;
  exercise: string | null;
  host: string | null;
  reasons: { file?: string; problem: string; fix: string }[];
  changed_keys: string[];
  fingerprint: string | null;
  event_time: Date | null;
  received_at: Date;
}

export type NewDelivery = Pick<DeliveryRow, 'outcome'> &
  Partial<
    Pick<
      DeliveryRow,
      'delivery' | 'exercise' | 'host' | 'reasons' | 'changed_keys' | 'fingerprint' | 'event_time'
    >
  >;

/**
 * Records what an agent said, once: a queue message delivered again (SQS delivers at least once,
 * and a failed refresh is retried) finds its row already there and adds nothing. Returns the row.
 */
export async function recordDelivery(db: Queryable, delivery: NewDelivery): Promise<DeliveryRow> {
  const identity = [
    delivery.outcome,
    delivery.delivery ?? null,
    delivery.exercise ?? null,
    delivery.host ?? null,
    delivery.fingerprint ?? null,
    delivery.event_time ?? null,
  ];
  const same = `outcome = $1 AND delivery IS NOT DISTINCT FROM $2 AND exercise IS NOT DISTINCT FROM $3
    AND host IS NOT DISTINCT FROM $4 AND fingerprint IS NOT DISTINCT FROM $5
    AND event_time IS NOT DISTINCT FROM $6::timestamptz`;
  const inserted = await db.query<DeliveryRow>(
    `INSERT INTO deliveries (outcome, delivery, exercise, host, fingerprint, event_time, reasons, changed_keys)
     SELECT $1, $2, $3, $4, $5, $6::timestamptz, $7::jsonb, $8::jsonb
      WHERE NOT EXISTS (SELECT 1 FROM deliveries WHERE ${same})
     RETURNING *`,
    [...identity, JSON.stringify(delivery.reasons ?? []), JSON.stringify(delivery.changed_keys ?? [])],
  );
  if (inserted[0]) return inserted[0];
  const existing = await db.query<DeliveryRow>(
    `SELECT * FROM deliveries WHERE ${same} ORDER BY id LIMIT 1`,
    identity,
  );
  return existing[0]!;
}

export async function listDeliveries(db: Queryable, limit = 50): Promise<DeliveryRow[]> {
  return db.query<DeliveryRow>('SELECT * FROM deliveries ORDER BY received_at DESC, id DESC LIMIT $1', [
    limit,
  ]);
}

/** Whether an agent announced exactly this bundle state ("Bundle Synced" with this fingerprint). */
export async function hasSyncedDelivery(
  db: Queryable,
  exercise: string,
  fingerprint: string,
): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM deliveries WHERE outcome = 'synced' AND exercise = $1 AND fingerprint = $2 LIMIT 1`,
    [exercise, fingerprint],
  );
  return rows.length > 0;
}
