import path from 'node:path';
import { awsClientOptions, createS3Client, requireConfig } from '@exercise-pipeline/shared';
import { DownloadCache } from '../bundle/download-cache.js';
import { S3BundleSource } from '../bundle/s3-bundle-source.js';
import type { ExerciseSourceFactory } from './compose-command.js';

/**
 * `compose --exercise <slug>`: the bundle from `s3://ASSETS_BUCKET/{slug}/` through the same
 * download cache the consumer uses, seeded with the asset version the catalog holds when
 * DATABASE_URL names one (the embedded PGlite catalog belongs to the running consumer and is not
 * opened here); otherwise version 1, like a local bundle.
 */
export const openExerciseSource: ExerciseSourceFactory = async (slug, { config, logger }) => {
  const { assetsBucket } = requireConfig(config, ['assetsBucket']);
  const s3 = createS3Client(awsClientOptions(config));
  const cache = new DownloadCache({ dir: path.join(config.dataDir, 'cache', 'objects') });
  let assetVersion = 1;
  if (config.databaseUrl) {
    // pg and PGlite take a noticeable part of a second to import; only this branch needs them.
    const [{ openCatalogDb }, { findExercise }] = await Promise.all([
      import('../catalog/database.js'),
      import('../catalog/exercises.js'),
    ]);
    const db = await openCatalogDb({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      maxConnections: 1,
    });
    try {
      assetVersion = (await findExercise(db, slug))?.asset_version || 1;
    } finally {
      await db.close();
    }
  }
  logger.debug({ exercise: slug, bucket: assetsBucket, assetVersion }, 'reading the bundle from S3');
  return { source: new S3BundleSource({ s3, bucket: assetsBucket, slug, cache }), assetVersion };
};
