/**
 * The shape of `GET /api/status` and the pure mapping from catalog rows to it. Dates become ISO
 * strings and fingerprints are shortened here, so the page only ever formats what it is given.
 */
import type { DeliveryRow } from '../catalog/deliveries.js';
import type { RenderLeaseRow } from '../catalog/leases.js';
import type { RenderStatus } from '../catalog/renders.js';
import type { DeadLetterEntry } from '../ops/dead-letter-entry.js';

/** Characters of a fingerprint or recipe hash shown: enough to tell versions apart at a glance. */
export const SHORT_HASH_LENGTH = 12;

export interface QueueView {
  url: string;
  /** Visible + in flight + delayed; null when SQS did not answer (see `error`). */
  depth: number | null;
  visible: number | null;
  inFlight: number | null;
  delayed: number | null;
  error?: string;
}

export interface DeadLetterView extends QueueView {
  /** What the DLQ holds and why; empty when it is empty or could not be read (see `messagesError`). */
  messages: DeadLetterEntry[];
  /** ISO time the messages were read; they are cached for a few seconds between page refreshes. */
  messagesReadAt: string | null;
  messagesError?: string;
}

export interface DeliveryView {
  id: number;
  outcome: DeliveryRow['outcome'];
  delivery: string | null;
  exercise: string | null;
  host: string | null;
  /** Every reason of a refusal; empty for a synced delivery. */
  reasons: { file: string | null; problem: string; fix: string }[];
  changed_keys: string[];
  fingerprint: string | null;
  event_time: string | null;
  received_at: string;
}

export interface ExerciseView {
  slug: string;
  kind: string;
  status: string;
  asset_version: number;
  /** The first SHORT_HASH_LENGTH characters of asset_fingerprint. */
  fingerprint: string | null;
  fingerprint_updated_at: string | null;
  /** Seconds since the fingerprint last changed, by the database's clock; null when never set. */
  fingerprint_age_seconds: number | null;
  catalog_render_id: number | null;
}

export interface RenderView {
  id: number;
  exercise: string;
  language: string;
  status: RenderStatus;
  asset_version: number;
  duration_seconds: number | null;
  /** Absolute for Bunny; server-relative (`/media/{id}/playlist.m3u8`) for the local publisher unless a public base is set. */
  playback_url: string | null;
  delete_after: string | null;
  error: string | null;
  recipe_hash: string;
  /** Bunny's encodeProgress (0-100) while the render is `encoding`; null otherwise. */
  encode_progress: number | null;
  created_at: string;
  updated_at: string;
}

/** One render lease of the catalog: which consumer renders what, and until when it holds it. */
export interface LeaseView {
  /** The consumer holding it (its lease owner id, `{host}:{pid}:{random}`). */
  holder: string;
  render_id: number;
  exercise: string;
  language: string;
  status: RenderStatus;
  asset_version: number;
  lease_expires_at: string | null;
  /** Seconds left by the database's clock, rounded; 0 once expired. */
  expires_in_seconds: number | null;
  /** The holder stopped renewing it; the next consumer that needs the render takes it over. */
  expired: boolean;
  /** Held by the consumer serving this page. */
  this_consumer: boolean;
}

/** The consumers sharing the catalog, as their leases show them, and the one serving the page. */
export interface ConsumersView {
  /** The consumer serving this page; null when the server was started without one. */
  self: { id: string; renders_in_flight: number; leases_held: number } | null;
  /** Every lease recorded in the catalog, by holder. */
  leases: LeaseView[];
}

export interface StatusDocument {
  generatedAt: string;
  queue: QueueView;
  dlq: DeadLetterView;
  deliveries: DeliveryView[];
  exercises: ExerciseView[];
  renders: RenderView[];
  consumers: ConsumersView;
}

/** The exercise columns the status page reads, with the age computed by the database. */
export interface ExerciseStatusRow {
  slug: string;
  kind: string;
  status: string;
  asset_version: number;
  asset_fingerprint: string | null;
  fingerprint_updated_at: Date | string | null;
  fingerprint_age_seconds: number | string | null;
  catalog_render_id: number | null;
}

/** The render columns the status page reads, joined with the exercise's slug. */
export interface RenderStatusRow {
  id: number;
  exercise: string;
  language: string;
  status: RenderStatus;
  asset_version: number;
  duration_seconds: number | null;
  playback_url: string | null;
  delete_after: Date | string | null;
  error: string | null;
  recipe_hash: string;
  encode_progress?: number | null;
  created_at: Date | string;
  updated_at: Date | string;
}

export function shortHash(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  return value.slice(0, SHORT_HASH_LENGTH);
}

/** PostgreSQL answers timestamptz as Date through pg and PGlite alike; a string is passed through. */
export function isoOf(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? value : new Date(parsed).toISOString();
}

/**
 * A server-relative playback URL made absolute against `publicBase` (for pages served elsewhere);
 * absolute URLs (Bunny's CDN) and the no-base case are returned unchanged.
 */
export function resolvePlaybackUrl(url: string | null, publicBase?: string): string | null {
  if (url === null || publicBase === undefined || !url.startsWith('/')) return url;
  return new URL(url, publicBase.endsWith('/') ? publicBase : `${publicBase}/`).toString();
}

export function toDeliveryView(row: DeliveryRow): DeliveryView {
  const reasons = Array.isArray(row.reasons) ? row.reasons : [];
  return {
    id: row.id,
    outcome: row.outcome,
    delivery: row.delivery,
    exercise: row.exercise,
    host: row.host,
    reasons: reasons.map((reason) => ({
      file: reason.file ?? null,
      problem: String(reason.problem ?? ''),
      fix: String(reason.fix ?? ''),
    })),
    changed_keys: Array.isArray(row.changed_keys) ? row.changed_keys.map(String) : [],
    fingerprint: shortHash(row.fingerprint),
    event_time: isoOf(row.event_time),
    received_at: isoOf(row.received_at) ?? '',
  };
}

export function toExerciseView(row: ExerciseStatusRow): ExerciseView {
  const age = row.fingerprint_age_seconds === null ? null : Number(row.fingerprint_age_seconds);
  return {
    slug: row.slug,
    kind: row.kind,
    status: row.status,
    asset_version: row.asset_version,
    fingerprint: shortHash(row.asset_fingerprint),
    fingerprint_updated_at: isoOf(row.fingerprint_updated_at),
    // A database clock a little behind never shows a negative age.
    fingerprint_age_seconds: age === null || !Number.isFinite(age) ? null : Math.max(0, Math.round(age)),
    catalog_render_id: row.catalog_render_id,
  };
}

export function toRenderView(row: RenderStatusRow, publicBase?: string): RenderView {
  return {
    id: row.id,
    exercise: row.exercise,
    language: row.language,
    status: row.status,
    asset_version: row.asset_version,
    duration_seconds: row.duration_seconds === null ? null : Number(row.duration_seconds),
    playback_url: resolvePlaybackUrl(row.playback_url, publicBase),
    delete_after: isoOf(row.delete_after),
    error: row.error,
    recipe_hash: row.recipe_hash,
    encode_progress:
      row.status === 'encoding' && row.encode_progress !== null && row.encode_progress !== undefined
        ? Number(row.encode_progress)
        : null,
    created_at: isoOf(row.created_at) ?? '',
    updated_at: isoOf(row.updated_at) ?? '',
  };
}

export function toLeaseView(row: RenderLeaseRow, selfId?: string): LeaseView {
  const left = row.expires_in_seconds === null ? null : Number(row.expires_in_seconds);
  const known = left !== null && Number.isFinite(left);
  return {
    holder: row.lease_owner,
    render_id: row.render_id,
    exercise: row.exercise,
    language: row.language,
    status: row.status,
    asset_version: row.asset_version,
    lease_expires_at: isoOf(row.lease_expires_at),
    expires_in_seconds: known ? Math.max(0, Math.round(left)) : null,
    expired: !known || left <= 0,
    this_consumer: selfId !== undefined && row.lease_owner === selfId,
  };
}

/** The Consumers panel: every lease, and this consumer's renders in flight and unexpired leases. */
export function toConsumersView(
  rows: readonly RenderLeaseRow[],
  self?: { id: string; rendersInFlight: number },
): ConsumersView {
  const leases = rows.map((row) => toLeaseView(row, self?.id));
  return {
    self:
      self === undefined
        ? null
        : {
            id: self.id,
            renders_in_flight: self.rendersInFlight,
            leases_held: leases.filter((lease) => lease.this_consumer && !lease.expired).length,
          },
    leases,
  };
}
