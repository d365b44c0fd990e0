export { type BundleObject, type BundleSnapshot, type BundleSource, readBundle } from './bundle-source.js';
export { type ComposeRecipeOptions, type ComposeResult, composeRecipe } from './compose.js';
export { BundleFileError, ComposeError } from './errors.js';
export { LocalBundleSource } from './local-bundle-source.js';
export { type ComposeLogger, defaultMediaRunner, type MediaRunner } from './media-runner.js';
export {
  type ClipFacts,
  ProbeCache,
  type ProbeCacheOptions,
  probeCacheKey,
  sharedProbeCache,
} from './probe-cache.js';
export { planTimeline, type SegmentPlan, type TimelinePlan } from './timeline.js';
export type { SegmentSummary } from './timing.js';
