import { canonicalJson, type QcFindingDetail, sha256Hex } from '@exercise-pipeline/shared';
import type { Queryable } from './database.js';

/** What an agent told the pipeline about one delivery: synced, or refused with every reason. */
export interface DeliveryRow {
  id: number;
  outcome: 'synced' | 'refused';
  delivery: string | null;
  exercise: string | null;
  host: string | null;
  reasons: { file?: string | undefined; problem: string; fix: string }[];
  changed_keys: string[];
  /** The agent's picture and sound check findings ("Bundle Synced" `findings`); empty when none. */
  findings: QcFindingDetail[];
  fingerprint: string | null;
  event_time: Date | null;
  received_at: Date;
}

export type NewDelivery = Pick<DeliveryRow, 'outcome'> &
  Partial<
    Pick<
      DeliveryRow,
      | 'delivery'
      | 'exercise'
      | 'host'
      | 'reasons'
      | 'changed_keys'
      | 'findings'
      | 'fingerprint'
      | 'event_time'
    >
  >;

/**
 * Records what an agent said, once: the same event delivered again (SQS delivers at least once, a
 * failed refresh is retried, several consumers may hold copies) finds its row by the event's
 * identity and adds nothing. Returns the row either way.
 */
export async function recordDelivery(db: Queryable, delivery: NewDelivery): Promise<DeliveryRow> {
  const dedupeKey = sha256Hex(
    canonicalJson([
      delivery.outcome,
      delivery.delivery ?? null,
      delivery.exercise ?? null,
      delivery.host ?? null,
      delivery.fingerprint ?? null,
      delivery.event_time ? delivery.event_time.toISOString() : null,
    ]),
  );
  const inserted = await db.query<DeliveryRow>(
    `INSERT INTO deliveries
       (outcome, delivery, exercise, host, fingerprint, event_time, reasons, changed_keys, dedupe_key, findings)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10::jsonb)
     ON CONFLICT (dedupe_key) DO NOTHING
     RETURNING *`,
    [
      delivery.outcome,
      delivery.delivery ?? null,
      delivery.exercise ?? null,
      delivery.host ?? null,
      delivery.fingerprint ?? null,
      delivery.event_time ?? null,
      JSON.stringify(delivery.reasons ?? []),
      JSON.stringify(delivery.changed_keys ?? []),
      dedupeKey,
      JSON.stringify(delivery.findings ?? []),
    ],
  );
  if (inserted[0]) return inserted[0];
  const existing = await db.query<DeliveryRow>('SELECT * FROM deliveries WHERE dedupe_key = $1', [dedupeKey]);
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
