import { describe, expect, it } from 'vitest';
import type { DeliveryRow } from '../catalog/deliveries.js';
import type { RenderStatusRow } from '../catalog/status.js';
import {
  isoOf,
  resolvePlaybackUrl,
  shortHash,
  toConsumersView,
  toDeliveryView,
  toExerciseView,
  toRenderView,
} from './status-view.js';

const when = new Date('2026-03-01T10:00:00.000Z');

describe('status view mapping', () => {
  it('shortens hashes to twelve characters and keeps absence as null', () => {
    expect(shortHash('0123456789abcdef0123')).toBe('0123456789ab');
    expect(shortHash('abc')).toBe('abc');
    expect(shortHash('')).toBeNull();
    expect(shortHash(null)).toBeNull();
  });

  it('writes dates as ISO strings and passes unparseable text through', () => {
    expect(isoOf(when)).toBe('2026-03-01T10:00:00.000Z');
    expect(isoOf('2026-03-01 11:00:00+01')).toBe('2026-03-01T10:00:00.000Z');
    expect(isoOf('not a date')).toBe('not a date');
    expect(isoOf(null)).toBeNull();
  });

  it('resolves relative playback URLs only against a public base', () => {
    const local = '/media/0b6c7e5e-4f7d-4d59-9c39-111111111111/playlist.m3u8';
    expect(resolvePlaybackUrl(local)).toBe(local);
    expect(resolvePlaybackUrl(local, 'https://ops.example.org/consumer')).toBe(
      'https://ops.example.org/media/0b6c7e5e-4f7d-4d59-9c39-111111111111/playlist.m3u8',
    );
    const bunny = 'https://vz-abc.b-cdn.net/guid/playlist.m3u8';
    expect(resolvePlaybackUrl(bunny, 'https://ops.example.org')).toBe(bunny);
    expect(resolvePlaybackUrl(null, 'https://ops.example.org')).toBeNull();
  });

  it('lists every reason of a refused delivery with a null file for delivery-wide ones', () => {
    const row: DeliveryRow = {
      id: 3,
      outcome: 'refused',
      delivery: '001 Detensionari Lombare',
      exercise: null,
      host: 'nas-1',
      reasons: [
        { file: 'intro.mp4', problem: 'not a video', fix: 'export it again as H.264 mp4' },
        { problem: 'no manifest', fix: 'add manifest.json' },
      ],
      changed_keys: [],
      findings: [],
      fingerprint: null,
      event_time: when,
      received_at: when,
    };
    expect(toDeliveryView(row)).toEqual({
      ...row,
      reasons: [
        { file: 'intro.mp4', problem: 'not a video', fix: 'export it again as H.264 mp4' },
        { file: null, problem: 'no manifest', fix: 'add manifest.json' },
      ],
      event_time: '2026-03-01T10:00:00.000Z',
      received_at: '2026-03-01T10:00:00.000Z',
    });
  });

  it("shows a synced delivery's picture and sound findings, and none for rows recorded without them", () => {
    const message =
      'intro.mp4: black picture from 0.0 s to 3.2 s — trim the black start or re-export the clip';
    const row: DeliveryRow = {
      id: 4,
      outcome: 'synced',
      delivery: '001 Detensionari Lombare',
      exercise: 'detensionari-lombare',
      host: 'nas-1',
      reasons: [],
      changed_keys: ['detensionari-lombare/manifest.json'],
      findings: [
        { kind: 'black', file: 'intro.mp4', atSeconds: 0, untilSeconds: 3.2, action: 'warn', message },
      ],
      fingerprint: 'a'.repeat(64),
      event_time: when,
      received_at: when,
    };
    expect(toDeliveryView(row).findings).toEqual([
      { kind: 'black', file: 'intro.mp4', at_seconds: 0, action: 'warn', message },
    ]);
    const older = { ...row, findings: undefined } as unknown as DeliveryRow;
    expect(toDeliveryView(older).findings).toEqual([]);
  });

  it('rounds the fingerprint age and never shows a negative one', () => {
    const base = {
      slug: 'plank-hold',
      kind: 'reps_based',
      status: 'active',
      asset_version: 2,
      asset_fingerprint: 'f'.repeat(64),
      fingerprint_updated_at: when,
      catalog_render_id: 4,
    };
    expect(toExerciseView({ ...base, fingerprint_age_seconds: 3600.4 })).toMatchObject({
      fingerprint: 'ffffffffffff',
      fingerprint_age_seconds: 3600,
      fingerprint_updated_at: '2026-03-01T10:00:00.000Z',
    });
    expect(toExerciseView({ ...base, fingerprint_age_seconds: -0.7 }).fingerprint_age_seconds).toBe(0);
    expect(toExerciseView({ ...base, fingerprint_age_seconds: '12.0' }).fingerprint_age_seconds).toBe(12);
    expect(
      toExerciseView({
        ...base,
        asset_fingerprint: null,
        fingerprint_updated_at: null,
        fingerprint_age_seconds: null,
      }),
    ).toMatchObject({ fingerprint: null, fingerprint_age_seconds: null, fingerprint_updated_at: null });
  });

  it('maps a superseded render with its delete_after and public playback URL', () => {
    const row: RenderStatusRow = {
      id: 9,
      exercise: 'plank-hold',
      language: 'ro',
      status: 'superseded',
      asset_version: 1,
      duration_seconds: 12.5,
      playback_url: '/media/id/playlist.m3u8',
      delete_after: when,
      error: null,
      recipe_hash: 'a'.repeat(64),
      created_at: when,
      updated_at: when,
    };
    expect(toRenderView(row, 'http://10.0.0.5:9400')).toMatchObject({
      status: 'superseded',
      playback_url: 'http://10.0.0.5:9400/media/id/playlist.m3u8',
      delete_after: '2026-03-01T10:00:00.000Z',
      recipe_hash: 'a'.repeat(64),
      duration_seconds: 12.5,
      encode_progress: null,
    });
  });

  it("shows Bunny's progress of an encoding render only", () => {
    const row: RenderStatusRow = {
      id: 10,
      exercise: 'plank-hold',
      language: 'ro',
      status: 'encoding',
      asset_version: 2,
      duration_seconds: 12.5,
      playback_url: 'https://vz-1.b-cdn.net/v/playlist.m3u8',
      delete_after: null,
      error: null,
      recipe_hash: 'b'.repeat(64),
      encode_progress: 45,
      created_at: when,
      updated_at: when,
    };
    expect(toRenderView(row)).toMatchObject({ status: 'encoding', encode_progress: 45 });
    expect(toRenderView({ ...row, status: 'ready', encode_progress: 100 }).encode_progress).toBeNull();
  });

  it("lists every lease with its holder and counts only this consumer's unexpired ones as held", () => {
    const lease = {
      render_id: 4,
      exercise: 'plank-hold',
      language: 'ro',
      status: 'pending' as const,
      asset_version: 2,
      lease_owner: 'host-a:41:0f3c9a1b',
      lease_expires_at: when,
      expires_in_seconds: '12.6',
    };
    const view = toConsumersView(
      [
        lease,
        { ...lease, render_id: 5, language: 'en', expires_in_seconds: -3 },
        { ...lease, render_id: 6, lease_owner: 'host-b:7:aa11bb22', expires_in_seconds: 30 },
      ],
      { id: 'host-a:41:0f3c9a1b', rendersInFlight: 3 },
    );
    expect(view.self).toEqual({ id: 'host-a:41:0f3c9a1b', renders_in_flight: 3, leases_held: 1 });
    expect(
      view.leases.map((l) => [l.render_id, l.holder, l.expired, l.this_consumer, l.expires_in_seconds]),
    ).toEqual([
      [4, 'host-a:41:0f3c9a1b', false, true, 13],
      [5, 'host-a:41:0f3c9a1b', true, true, 0],
      [6, 'host-b:7:aa11bb22', false, false, 30],
    ]);
    expect(view.leases[0]!.lease_expires_at).toBe('2026-03-01T10:00:00.000Z');
    expect(toConsumersView([lease]).self).toBeNull();
  });
});
