import { describe, expect, it } from 'vitest';
import { BunnyPublisher } from './bunny-publisher.js';
import { createPublisher } from './create-publisher.js';
import { LocalPublisher } from './local-publisher.js';

describe('createPublisher', () => {
  it('defaults to the local target and builds Bunny from its settings', () => {
    expect(createPublisher({ publishTarget: 'local', dataDir: '.data' })).toBeInstanceOf(LocalPublisher);
    const bunny = createPublisher({
      publishTarget: 'bunny',
      dataDir: '.data',
      bunny: {
        libraryId: '1',
        apiKey: 'k',
        cdnHostname: 'vz.b-cdn.net',
        apiUrl: 'https://video.bunnycdn.com',
      },
    });
    expect(bunny).toBeInstanceOf(BunnyPublisher);
    expect(bunny.target).toBe('bunny');
  });

  it('names the missing variables when Bunny is chosen without settings', () => {
    expect(() => createPublisher({ publishTarget: 'bunny', dataDir: '.data' })).toThrow(
      /BUNNY_STREAM_LIBRARY_ID, BUNNY_STREAM_API_KEY and BUNNY_STREAM_CDN_HOSTNAME/,
    );
  });
});
