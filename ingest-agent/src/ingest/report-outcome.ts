import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename } from 'node:path';
import { describeTransient, withRetry } from '@exercise-pipeline/shared';
import type { Journal, JournalEntry } from '../journal/journal.js';
import type { RefusalReason } from '../plan/refusal.js';
import { tellTeam } from './tell-team.js';
import { publishDeliveryRefused } from './publish-delivery-refused.js';
import type { IngestOptions, IngestResult } from './types.js';

/** What the reporting steps of one ingest need to know about it. */
export interface ReportContext {
  options: IngestOptions;
  journal: Journal;
  deliveryId: string;
  signature: string;
  /** DATA_DIR/staging/<id>: removed once the outcome is reported. */
  stagingRoot: string;
}

function entryFor(
  context: ReportContext,
  result: IngestResult,
  state: JournalEntry['state'],
  announced?: boolean,
): JournalEntry {
  return {
    version: 1,
    deliveryId: context.deliveryId,
    folder: result.delivery,
    signature: context.signature,
    state,
    exercise: result.exercise,
    result,
    ...(announced === undefined ? {} : { announced }),
  };
}

async function announceRefusal(result: IngestResult, context: ReportContext): Promise<void> {
  const { options } = context;
  const events = options.events;
  if (events === undefined) return;
  await withRetry(
    () =>
      publishDeliveryRefused(
        events,
        options.eventBusName,
        {
          delivery: basename(result.delivery),
          ...(result.exercise === null ? {} : { exercise: result.exercise }),
          reasons: result.rejected,
          host: options.host ?? hostname(),
        },
        options.signal,
      ),
    {
      attempts: options.retry?.attempts ?? Number.POSITIVE_INFINITY,
      baseDelayMs: options.retry?.baseDelayMs ?? 250,
      maxDelayMs: options.retry?.maxDelayMs ?? 15_000,
      ...(options.signal ? { signal: options.signal } : {}),
      onRetry: ({ error, attempt, delayMs }) =>
        options.logger?.warn(
          { problem: describeTransient(error), attempt, delayMs },
          'cannot put "Delivery Refused" yet, retrying',
        ),
    },
  );
}

/**
 * Tells the operators (a refusal goes on the bus) and the team (`_REPORT.txt`, the folder moved)
 * about a verdict the journal already holds as `reporting`, then marks it final. Each step is
 * journalled before the next one becomes visible: a crash in between repeats at most the report
 * file (the same text again), never loses the event and never reports a delivery done twice,
 * because moving the folder is the last thing that happens to it.
 */
export async function finishReporting(
  result: IngestResult,
  context: ReportContext,
  announced: boolean,
): Promise<IngestResult> {
  const { options, journal } = context;
  if (result.status === 'refused' && !announced) {
    await announceRefusal(result, context);
    await journal.put(entryFor(context, result, 'reporting', true));
  }
  options.onStep?.('reporting');
  const told: IngestResult = { ...result, ...(await tellTeam(result, options.config, options.logger)) };
  await journal.put(entryFor(context, told, told.status === 'done' ? 'done' : 'refused'));
  await rm(context.stagingRoot, { recursive: true, force: true });
  return told;
}

/** Journals a final verdict as `reporting`, then reports it (see finishReporting). */
export async function reportOutcome(result: IngestResult, context: ReportContext): Promise<IngestResult> {
  await context.journal.put(entryFor(context, result, 'reporting', false));
  return finishReporting(result, context, false);
}

/**
 * Refuses the delivery: nothing is uploaded, any staged copy is dropped, and the verdict is
 * journalled before anyone is told (see finishReporting). A dry run only returns the reasons.
 */
export async function refuseDelivery(
  result: IngestResult,
  reasons: RefusalReason[],
  context: ReportContext,
): Promise<IngestResult> {
  const { options } = context;
  const refused: IngestResult = { ...result, status: 'refused', rejected: reasons };
  options.logger?.warn({ folder: result.delivery, reasons }, 'delivery refused');
  await rm(context.stagingRoot, { recursive: true, force: true });
  if (options.dryRun) return refused;
  return reportOutcome(refused, context);
}
