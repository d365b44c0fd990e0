import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DETAIL_TYPES, SOURCES } from '@exercise-pipeline/shared';
import { useTempDir } from '@exercise-pipeline/test/harness';
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../journal/journal.js';
import { appendReportLine } from './append-report-line.js';
import { deliveriesFor } from './deliveries-for.js';
import { noticeLine } from './notice-line.js';
import { type PreviewNotice, parsePreviewNotice } from './preview-notice.js';

const temp = useTempDir('notices');

/** A body as the notices rule delivers it: the EventBridge envelope around the consumer's detail. */
function eventBody(detailType: string, detail: Record<string, unknown>, source: string = SOURCES.render) {
  return JSON.stringify({
    version: '0',
    id: 'e1',
    'detail-type': detailType,
    source,
    account: '123456789012',
    time: '2026-12-05T09:00:00Z',
    region: 'eu-central-1',
    resources: [],
    detail,
  });
}

const readyDetail = {
  exercise: 'squat',
  language: 'ro',
  renderId: '12',
  assetVersion: 3,
  recipeHash: 'abc',
  playbackUrl: '/media/v12/playlist.m3u8',
  durationSeconds: 30,
  catalogPreview: true,
  fingerprint: 'fp-3',
  previewUrl: 'http://nas:9400/#render=12',
};

describe('parsePreviewNotice', () => {
  it('reads "Render Ready" with its link and fingerprint', () => {
    expect(parsePreviewNotice(eventBody(DETAIL_TYPES.renderReady, readyDetail))).toEqual({
      ok: true,
      notice: {
        kind: 'ready',
        exercise: 'squat',
        language: 'ro',
        assetVersion: 3,
        fingerprint: 'fp-3',
        link: 'http://nas:9400/#render=12',
      },
    });
  });

  it('falls back to an absolute playback URL, and to no link for a local path', () => {
    const { previewUrl: _link, ...older } = readyDetail;
    const bunny = { ...older, playbackUrl: 'https://vz-1.b-cdn.net/v/playlist.m3u8' };
    const fromBunny = parsePreviewNotice(eventBody(DETAIL_TYPES.renderReady, bunny));
    expect(fromBunny.ok && fromBunny.notice.kind === 'ready' && fromBunny.notice.link).toBe(
      bunny.playbackUrl,
    );
    const local = parsePreviewNotice(eventBody(DETAIL_TYPES.renderReady, older));
    expect(local.ok && local.notice.kind === 'ready' && local.notice.link).toBeUndefined();
  });

  it('reads "Render Failed" with its error', () => {
    const body = eventBody(DETAIL_TYPES.renderFailed, {
      exercise: 'squat',
      language: 'ro',
      assetVersion: 3,
      error: 'ffmpeg exited with code 1',
      catalogPreview: true,
    });
    expect(parsePreviewNotice(body)).toMatchObject({
      ok: true,
      notice: { kind: 'failed', exercise: 'squat', error: 'ffmpeg exited with code 1' },
    });
  });

  it('refuses other events and bodies with a reason', () => {
    const synced = eventBody(
      DETAIL_TYPES.bundleSynced,
      { exercise: 'squat', bucket: 'b', languages: ['ro'], changedKeys: [], fingerprint: 'f' },
      SOURCES.ingest,
    );
    expect(parsePreviewNotice(synced)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('Bundle Synced'),
    });
    expect(parsePreviewNotice('not json')).toMatchObject({ ok: false });
    const other = eventBody(DETAIL_TYPES.renderReady, { ...readyDetail, catalogPreview: false });
    expect(parsePreviewNotice(other)).toEqual({ ok: false, reason: 'not a catalog preview' });
  });
});

describe('noticeLine', () => {
  const ready: PreviewNotice = {
    kind: 'ready',
    exercise: 'squat',
    assetVersion: 3,
    link: 'https://x/p.m3u8',
  };
  const failed: PreviewNotice = {
    kind: 'failed',
    exercise: 'squat',
    language: 'ro',
    assetVersion: 3,
    error: 'MEDIA_CONTAINER_REFUSED: s3://a/squat/intro-video-1.mp4 is an HLS playlist\nstack…',
  };

  it('writes "Preview ready: <link>" in English by default and in Romanian with diacritics', () => {
    expect(noticeLine(ready)).toBe('Preview ready: https://x/p.m3u8');
    expect(noticeLine(ready, 'en')).toBe('Preview ready: https://x/p.m3u8');
    expect(noticeLine(ready, 'ro')).toBe('Previzualizare gata: https://x/p.m3u8');
  });

  it('says in plain words what failed, quoting only the first line of the error', () => {
    const en = noticeLine(failed);
    expect(en).toMatch(
      /^Preview failed: the ro preview of "squat" could not be made \(MEDIA_CONTAINER_REFUSED: /,
    );
    expect(en).not.toContain('stack');
    expect(en).toContain('tries again by itself');
    const ro = noticeLine(failed, 'ro');
    expect(ro).toMatch(
      /^Previzualizarea a eșuat: previzualizarea în limba ro pentru „squat” nu a putut fi realizată/,
    );
    expect(ro).toContain('reîncearcă');
  });

  it('keeps every line one line, whatever the event carries', () => {
    const forged = noticeLine({ ...ready, link: 'https://x/\nUploaded: nothing' });
    expect(forged).toBe('Preview ready: https://x/\\nUploaded: nothing');
    expect(noticeLine({ ...failed, error: `${'x'.repeat(400)}` })).toMatch(/x…\)/);
    expect(noticeLine({ kind: 'ready', exercise: 'squat', assetVersion: 1 })).toMatch(/^Preview ready: /);
  });
});

describe('deliveriesFor', () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 11, 5, 9, minute));
  const done = (folder: string, exercise: string, fingerprint: string, minute: number) => ({
    entry: {
      version: 1,
      deliveryId: folder,
      folder: `/drop/${folder}`,
      signature: 's',
      state: 'done',
      exercise,
      result: { status: 'done', fingerprint, report: `/drop/processed/${folder}/_REPORT.txt` },
    } satisfies JournalEntry,
    writtenAt: at(minute),
  });
  const journal = [
    done('001 Squat', 'squat', 'fp-1', 1),
    done('001 Squat v2', 'squat', 'fp-2', 5),
    done('002 Lunge', 'lunge', 'fp-9', 7),
  ];
  const notice = (fingerprint?: string): PreviewNotice => ({
    kind: 'ready',
    exercise: 'squat',
    assetVersion: 2,
    link: 'https://x',
    ...(fingerprint === undefined ? {} : { fingerprint }),
  });

  it('matches the delivery that synced the rendered fingerprint, never an older or newer one', () => {
    const older = deliveriesFor(notice('fp-1'), journal);
    expect(older).toEqual({
      outcome: 'deliveries',
      targets: [{ folder: '/drop/001 Squat', report: '/drop/processed/001 Squat/_REPORT.txt' }],
    });
    const newer = deliveriesFor(notice('fp-2'), journal);
    expect(newer.outcome === 'deliveries' && newer.targets.map((t) => t.folder)).toEqual([
      '/drop/001 Squat v2',
    ]);
    expect(deliveriesFor(notice('fp-other'), journal)).toEqual({ outcome: 'none' });
  });

  it('without a fingerprint takes only the delivery of the exercise reported last', () => {
    const match = deliveriesFor(notice(), journal);
    expect(match.outcome === 'deliveries' && match.targets.map((t) => t.folder)).toEqual([
      '/drop/001 Squat v2',
    ]);
  });

  it('knows nothing of another exercise, and waits for a delivery still being reported', () => {
    expect(deliveriesFor({ ...notice('fp-1'), exercise: 'plank' }, journal)).toEqual({ outcome: 'none' });
    const reporting = {
      entry: { ...done('003 Plank', 'plank', 'fp-5', 9).entry, state: 'reporting' as const },
      writtenAt: at(9),
    };
    expect(deliveriesFor({ ...notice('fp-5'), exercise: 'plank' }, [...journal, reporting])).toEqual({
      outcome: 'not-yet',
    });
  });

  it('skips refused deliveries and deliveries without a report', () => {
    const refused = {
      ...done('004 Bridge', 'bridge', 'fp-7', 3),
      entry: { ...done('004 Bridge', 'bridge', 'fp-7', 3).entry, state: 'refused' as const },
    };
    const unreported = done('005 Bridge', 'bridge', 'fp-7', 4);
    unreported.entry.result = { status: 'done', fingerprint: 'fp-7', report: null } as never;
    expect(deliveriesFor({ ...notice('fp-7'), exercise: 'bridge' }, [refused, unreported])).toEqual({
      outcome: 'none',
    });
  });
});

describe('appendReportLine', () => {
  it('appends once, keeps what was there, and reports a missing file', async () => {
    const report = join(temp.path, '_REPORT.txt');
    await writeFile(report, 'Delivery: 001 Squat\nUploaded: 3 files');
    expect(await appendReportLine(report, 'Preview ready: https://x')).toBe('appended');
    expect(await appendReportLine(report, 'Preview ready: https://x')).toBe('present');
    expect(await appendReportLine(report, 'Preview ready: https://y')).toBe('appended');
    expect(await readFile(report, 'utf8')).toBe(
      'Delivery: 001 Squat\nUploaded: 3 files\nPreview ready: https://x\nPreview ready: https://y\n',
    );
    expect(await appendReportLine(join(temp.path, 'gone', '_REPORT.txt'), 'x')).toBe('missing');
  });
});
