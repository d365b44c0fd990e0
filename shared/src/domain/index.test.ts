import { describe, expect, it } from 'vitest';
import * as domain from './index.js';

describe('domain barrel', () => {
  it('exports the agreed API', () => {
    const names = [
      'FRAMING_SLOTS',
      'SIDES',
      'SLOTS',
      'repSlot',
      'PipelineError',
      'InvalidKeyPartError',
      'ManifestInvalidError',
      'RecipeInvalidError',
      'MessageInvalidError',
      'SLUG_PATTERN',
      'MAX_SLUG_LENGTH',
      'LANGUAGE_PATTERN',
      'isValidSlug',
      'assertSlug',
      'parseBundleKey',
      'discoverVariants',
      'manifestKey',
      'videoKey',
      'voiceOverKey',
      'exercisePrefix',
      'videoFileName',
      'voiceOverPath',
      'splitBundleKey',
      'manifestSchema',
      'parseManifest',
      'recipeSchema',
      'validateRecipe',
      'canonicalJson',
      'recipeHash',
      'createPrng',
      'chooseVariants',
      'SOURCES',
      'DETAIL_TYPES',
      'parsePipelineMessage',
      'toPutEventsEntry',
    ];
    expect(names.filter((name) => !(name in domain))).toEqual([]);
    expect(domain.FRAMING_SLOTS).toEqual(['intro', 'pauza', 'outro']);
    expect(domain.SIDES).toEqual(['left', 'right', 'bilateral']);
    expect(domain.MAX_SLUG_LENGTH).toBe(63);
    expect(domain.SOURCES).toEqual({
      s3: 'aws.s3',
      ingest: 'exercise-pipeline.ingest',
      render: 'exercise-pipeline.render',
      ops: 'exercise-pipeline.ops',
    });
    expect(domain.DETAIL_TYPES).toEqual({
      objectCreated: 'Object Created',
      objectDeleted: 'Object Deleted',
      bundleSynced: 'Bundle Synced',
      deliveryRefused: 'Delivery Refused',
      renderReady: 'Render Ready',
      renderFailed: 'Render Failed',
      refreshRequested: 'Refresh Requested',
    });
  });
});
