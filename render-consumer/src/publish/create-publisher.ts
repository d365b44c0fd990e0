import { BunnyClient } from './bunny-client.js';
import { BunnyPublisher } from './bunny-publisher.js';
import { LocalPublisher } from './local-publisher.js';
import type { Publisher, PublishLogger, PublishTarget } from './publisher.js';

/** The slice of PipelineConfig that chooses and configures the publish target. */
export interface PublisherConfig {
  publishTarget: PublishTarget;
  dataDir: string;
  bunny?:
    | {
        libraryId: string;
        apiKey: string;
        cdnHostname: string;
        apiUrl: string;
        readOnlyApiKey?: string | undefined;
        tusThresholdBytes?: number | undefined;
      }
    | undefined;
}

/** The publisher PUBLISH_TARGET asks for: `local` (default) or `bunny`. */
export function createPublisher(
  config: PublisherConfig,
  options: { logger?: PublishLogger; fetch?: typeof fetch } = {},
): Publisher {
  if (config.publishTarget === 'local') {
    return new LocalPublisher({ dataDir: config.dataDir, logger: options.logger });
  }
  if (!config.bunny) {
    throw new TypeError(
      'PUBLISH_TARGET=bunny needs BUNNY_STREAM_LIBRARY_ID, BUNNY_STREAM_API_KEY and BUNNY_STREAM_CDN_HOSTNAME; set them or use PUBLISH_TARGET=local',
    );
  }
  const client = new BunnyClient({
    libraryId: config.bunny.libraryId,
    apiKey: config.bunny.apiKey,
    apiUrl: config.bunny.apiUrl,
    logger: options.logger,
    fetch: options.fetch,
  });
  return new BunnyPublisher({
    client,
    cdnHostname: config.bunny.cdnHostname,
    ...(config.bunny.tusThresholdBytes === undefined
      ? {}
      : { tusThresholdBytes: config.bunny.tusThresholdBytes }),
    logger: options.logger,
  });
}
