import type { Queryable } from './database.js';

/** The last reason a queue message failed, kept by message id for `dlq list` and the status page. */
export interface MessageFailureRow {
  message_id: string;
  exercise: string | null;
  reason: string;
  permanent: boolean;
  failures: number;
  first_failed_at: Date;
  last_failed_at: Date;
}

export async function recordMessageFailure(
  db: Queryable,
  failure: { messageId: string; exercise?: string | null; reason: string; permanent?: boolean },
): Promise<void> {
  await db.query(
    `INSERT INTO message_failures (message_id, exercise, reason, permanent)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (message_id) DO UPDATE
       SET reason = EXCLUDED.reason, permanent = EXCLUDED.permanent,
           exercise = COALESCE(EXCLUDED.exercise, message_failures.exercise),
           failures = message_failures.failures + 1, last_failed_at = now()`,
    [failure.messageId, failure.exercise ?? null, failure.reason, failure.permanent ?? false],
  );
}

export async function findMessageFailures(
  db: Queryable,
  messageIds: readonly string[],
): Promise<MessageFailureRow[]> {
  if (messageIds.length === 0) return [];
  return db.query<MessageFailureRow>('SELECT * FROM message_failures WHERE message_id = ANY($1::text[])', [
    [...messageIds],
  ]);
}
