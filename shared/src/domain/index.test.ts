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
    // The contract's event sources and detail-types (ARCHITECTURE.md "Contract: events").
    expect(Object.values(domain.SOURCES).sort()).toEqual([
      'aws.s3',
      'exercise-pipeline.ingest',
      'exercise-pipeline.ops',
      'exercise-pipeline.render',
    ]);
    expect(Object.values(domain.DETAIL_TYPES).sort()).toEqual([
      'Bundle Synced',
      'Delivery Refused',
      'Object Created',
      'Object Deleted',
      'Refresh Requested',
      'Render Failed',
      'Render Ready',
    ]);
  });
});
