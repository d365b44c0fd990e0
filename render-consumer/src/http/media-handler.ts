import path from 'node:path';
import { MEDIA_DIR } from '../publish/local-publisher.js';
import { HttpError } from './http-error.js';
import type { Handler } from './router.js';
import { sendFile } from './send-file.js';

/** The local publisher names every rendition with a UUID; nothing else is ever a media id. */
const MEDIA_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MEDIA_FILE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*\.([a-z0-9]+)$/;

/** What the local publisher writes: the HLS playlist, its segments, and the mp4 it was cut from. */
export const MEDIA_TYPES: Readonly<Record<string, string>> = {
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  mp4: 'video/mp4',
  m4s: 'video/iso.segment',
};

/**
 * `GET /media/:id/:file`: serves the local publisher's renditions from `{dataDir}/media/`. A
 * rendition never changes once its id exists (a new render gets a new id), so players may cache it.
 */
export function createMediaHandler(options: { dataDir: string }): Handler {
  const root = path.resolve(options.dataDir, MEDIA_DIR);
  return async ({ req, res, params }) => {
    const id = params.id ?? '';
    const file = params.file ?? '';
    if (!MEDIA_ID_PATTERN.test(id)) {
      throw new HttpError(
        400,
        'MEDIA_ID_INVALID',
        `media id ${JSON.stringify(id)} is not a render id (a UUID)`,
      );
    }
    const extension = MEDIA_FILE_PATTERN.exec(file)?.[1];
    const contentType = extension === undefined ? undefined : MEDIA_TYPES[extension];
    if (contentType === undefined) {
      throw new HttpError(
        400,
        'MEDIA_FILE_INVALID',
        `media file ${JSON.stringify(file)} is not a playlist (.m3u8), segment (.ts, .m4s) or video (.mp4)`,
      );
    }
    const target = path.join(root, id, file);
    if (path.dirname(path.dirname(target)) !== root) {
      throw new HttpError(400, 'MEDIA_FILE_INVALID', 'media paths stay inside the media directory');
    }
    await sendFile(req, res, target, {
      contentType,
      cacheControl: 'public, max-age=86400',
      // Players on the platform's own pages load these from another origin.
      headers: { 'access-control-allow-origin': '*' },
    });
  };
}
