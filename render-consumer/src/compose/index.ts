export { type BundleObject, type BundleSnapshot, type BundleSource, readBundle } from './bundle-source.js';
export {
  type ComposeRecipeOptions,
  type ComposeResult,
  composeRecipe,
  planRenderCommand,
  type RenderCommand,
  type RenderCommandOptions,
} from './compose.js';
export { BundleFileError, ComposeError } from './errors.js';
export { buildRenderArgs, type ClipInput, type RenderArgsInput } from './ffmpeg-args.js';
export { LocalBundleSource } from './local-bundle-source.js';
export { type ComposeLogger, defaultMediaRunner, type MediaRunner } from './media-runner.js';
export {
  type ClipFacts,
  ProbeCache,
  type ProbeCacheOptions,
  type ProbeStore,
  probeCacheKey,
  sharedProbeCache,
} from './probe-cache.js';
export { directoryProbeStore } from './probe-store.js';
export { planTimeline, type SegmentPlan, type TimelinePlan } from './timeline.js';
export type { SegmentSummary } from './timing.js';
export * from './execute.js';
export * from './loudness.js';
export * from './mp4-durations.js';
export * from './profile.js';
export * from './thumbnail-time.js';
export * from './verify.js';
