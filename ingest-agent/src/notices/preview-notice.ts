import { parsePipelineMessage } from '@exercise-pipeline/shared';

/** What the consumer said about one language's catalog preview of an exercise. */
export type PreviewNotice = {
  exercise: string;
  /** The preview's language (a failure may concern the whole exercise). */
  language?: string;
  assetVersion: number;
  /** The bundle fingerprint the preview was rendered from, when the consumer sent it. */
  fingerprint?: string;
} & (
  | {
      kind: 'ready';
      /** Where people watch it: the Bunny playback URL or the consumer's status page. */
      link?: string;
    }
  | { kind: 'failed'; error: string }
);

export type NoticeParse = { ok: true; notice: PreviewNotice } | { ok: false; reason: string };

/**
 * Reads a notices queue message ("Render Ready" / "Render Failed" of a catalog preview, as the
 * EventBridge rule delivers it). Anything else is refused with a reason, never thrown.
 */
export function parsePreviewNotice(body: unknown): NoticeParse {
  const parsed = parsePipelineMessage(body);
  if (!parsed.ok) return parsed;
  const message = parsed.message;
  if (message.type !== 'render-ready' && message.type !== 'render-failed') {
    return { ok: false, reason: `"${message.envelope.detailType}" is not a preview notice` };
  }
  if (message.catalogPreview === false) return { ok: false, reason: 'not a catalog preview' };
  const common = {
    exercise: message.exercise,
    assetVersion: message.assetVersion,
    ...(message.language === undefined ? {} : { language: message.language }),
    ...(message.fingerprint === undefined ? {} : { fingerprint: message.fingerprint }),
  };
  if (message.type === 'render-failed') {
    return { ok: true, notice: { ...common, kind: 'failed', error: message.error } };
  }
  const link =
    message.previewUrl ?? (/^https?:\/\//i.test(message.playbackUrl) ? message.playbackUrl : undefined);
  return { ok: true, notice: { ...common, kind: 'ready', ...(link === undefined ? {} : { link }) } };
}
