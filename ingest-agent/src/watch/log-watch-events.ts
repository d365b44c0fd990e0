import { type Logger, PipelineError } from '@exercise-pipeline/shared';
import type { DeliveryWatcher } from './delivery-watcher.js';

/** Fields of the ingest result worth a log line, when the ingest returned them. */
function resultFields(result: object): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key of ['exercise', 'uploaded', 'skipped', 'bytesUploaded', 'rejected', 'repeated', 'report']) {
    if (!Object.hasOwn(result, key)) continue;
    const value = (result as Record<string, unknown>)[key];
    fields[key] = Array.isArray(value) && key !== 'rejected' ? value.length : value;
  }
  return fields;
}

/**
 * The daemon's log: one line per step a delivery takes, at a level an operator can filter on
 * (progress at info, waiting at debug, problems the team must fix at warn, agent failures at error).
 */
export function logWatchEvents(
  watcher: DeliveryWatcher,
  logger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>,
): void {
  watcher.on('watcher:ready', ({ dropDir, mode, deliveries }) =>
    logger.info({ dropDir, mode, deliveries }, 'watching the drop folder'),
  );
  watcher.on('watcher:drop-dir', ({ dropDir, available, problem }) => {
    if (available) logger.info({ dropDir }, 'the drop folder is back; watching it again');
    else
      logger.warn(
        { dropDir, problem },
        'the drop folder is gone or unreadable; waiting for it to come back (nothing is ingested meanwhile)',
      );
  });
  watcher.on('watcher:mode', ({ dropDir, mode, reason }) =>
    logger.warn({ dropDir, mode, reason }, 'watching the drop folder differently'),
  );
  watcher.on('watcher:heartbeat', (status) => logger.info(status, 'watcher heartbeat'));
  watcher.on('delivery:seen', ({ delivery }) => logger.info({ delivery }, 'delivery found'));
  watcher.on('delivery:settling', ({ delivery, settleSeconds }) =>
    logger.debug({ delivery, settleSeconds }, 'delivery is changing; waiting until it is quiet'),
  );
  watcher.on('delivery:settled', ({ delivery, files }) =>
    logger.info({ delivery, files: files.length }, 'delivery is complete; ingesting'),
  );
  watcher.on('delivery:incomplete', ({ delivery, problems, refuseInSeconds }) =>
    logger.warn(
      { delivery, problems, refuseInSeconds },
      refuseInSeconds === undefined
        ? 'delivery is quiet but not complete; it is ingested once the copy finishes'
        : 'delivery is quiet but not complete; it is ingested once the copy finishes, or refused with a report if it stays like this',
    ),
  );
  watcher.on('delivery:overdue', ({ delivery, problems, waitedSeconds }) =>
    logger.warn(
      { delivery, problems, waitedSeconds },
      'delivery stayed incomplete; judging it as it is (the team gets a report)',
    ),
  );
  watcher.on('delivery:unchanged', ({ delivery, status }) =>
    logger.info({ delivery, status }, 'delivery unchanged since it was last handled; nothing to do'),
  );
  watcher.on('delivery:ingested', ({ delivery, result, movedTo }) =>
    logger.info({ delivery, movedTo, ...resultFields(result) }, 'ingest done'),
  );
  watcher.on('delivery:refused', ({ delivery, result, movedTo }) =>
    logger.warn(
      { delivery, movedTo, ...resultFields(result) },
      'ingest refused the delivery; it is judged again once something in it changes',
    ),
  );
  watcher.on('delivery:failed', ({ delivery, error, retryInSeconds }) =>
    logger.error(
      // A failure the pipeline names itself (a full DATA_DIR, access denied) is one line; only an
      // unexpected error carries its stack.
      error instanceof PipelineError
        ? { delivery, code: error.code, problem: error.message, retryInSeconds }
        : { delivery, err: error, retryInSeconds },
      'ingest failed; it will be tried again',
    ),
  );
  watcher.on('delivery:removed', ({ delivery }) =>
    logger.debug({ delivery }, 'delivery folder left the drop folder'),
  );
  // The watcher logs its own errors; listening keeps them from also surfacing as unhandled.
  watcher.on('watcher:error', () => undefined);
}
