import { type FieldIssue, type Manifest, parseManifest, type Side } from '@exercise-pipeline/shared';
import type { AgentConfig } from '../rules/agent-config.js';
import { type RefusalReason, refusal } from './refusal.js';

export interface BuildManifestInput {
  /** The parsed `manifest.json` of the delivery (any JSON value), if it had one. */
  deliveredManifest?: unknown;
  slug: string;
  /** Sides with rep files in the delivery (RenamePlan.sides). */
  sides: readonly Side[];
  /** Languages with voice-over in the bundle (RenamePlan.languages). */
  languages: readonly string[];
  config: AgentConfig;
}

export type BuildManifestResult =
  | { ok: true; manifest: Manifest }
  | {
      ok: false;
      issues: FieldIssue[] /** Top-level fields the delivery set, to tell the team what to fix. */;
      deliveredFields: string[];
    };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The bundle's manifest: config defaults, overlaid with what the delivery shows (its sides and
 * voice-over languages), overlaid with the delivered manifest.json, whose fields always win —
 * the team's explicit word beats what the agent infers. Validated with the shared schema.
 */
export function buildManifest(input: BuildManifestInput): BuildManifestResult {
  const { config } = input;
  const delivered = input.deliveredManifest;
  if (delivered !== undefined && !isRecord(delivered)) {
    return {
      ok: false,
      issues: [
        { field: '(root)', message: 'expected a JSON object such as {"exercise": "detensionari-lombare"}' },
      ],
      deliveredFields: ['(root)'],
    };
  }
  const languages =
    input.languages.length > 0
      ? [...input.languages]
      : [...(config.manifestDefaults.languages ?? [config.defaultLanguage])];
  const inferred: Record<string, unknown> = {
    exercise: input.slug,
    reps_per_video_block: config.manifestDefaults.reps_per_video_block,
    counts_per_audio_master: config.manifestDefaults.counts_per_audio_master,
    languages,
  };
  // Without rep files there is nothing to infer from; the schema's default sides apply.
  if (input.sides.length > 0) inferred.sides = [...input.sides];

  const result = parseManifest({ ...inferred, ...delivered });
  if (result.ok) return result;
  return { ok: false, issues: result.issues, deliveredFields: Object.keys(delivered ?? {}) };
}

/** Manifest issues as refusal reasons, each pointing at the place the team or operator can fix. */
export function manifestRefusals(
  issues: readonly FieldIssue[],
  deliveredFields: readonly string[],
): RefusalReason[] {
  return issues.map((issue) => {
    const topField = issue.field.split('.')[0] ?? issue.field;
    const fromDelivery = deliveredFields.includes(topField) || issue.field === '(root)';
    const params = { field: issue.field, detail: issue.message };
    return fromDelivery
      ? refusal('manifestField', params, 'manifest.json')
      : refusal('builtManifestInvalid', params);
  });
}
