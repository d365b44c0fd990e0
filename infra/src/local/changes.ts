/** What one ensure step did to one resource; a second run over an unchanged endpoint says `unchanged` everywhere. */
export type ResourceStatus = 'created' | 'updated' | 'unchanged';

export interface ResourceChange {
  /** Kind of resource, e.g. `bucket`, `queue`, `rule-target`. */
  resource: string;
  /** Its name on the endpoint (bucket, queue or rule name). */
  name: string;
  status: ResourceStatus;
}

/** Error names the SDKs use for "it does not exist yet" across S3, SQS and EventBridge. */
const NOT_FOUND_NAMES = new Set([
  'NotFound',
  'NoSuchBucket',
  'NoSuchTagSet',
  'NoSuchPublicAccessBlockConfiguration',
  'ServerSideEncryptionConfigurationNotFoundError',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'ResourceNotFoundException',
]);

export function isNotFound(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, Code } = error as { name?: unknown; Code?: unknown };
  return NOT_FOUND_NAMES.has(String(name)) || NOT_FOUND_NAMES.has(String(Code));
}

/** Runs a read that may legitimately find nothing; `undefined` means "absent", other errors propagate. */
export async function readOrAbsent<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** Compares two JSON documents by meaning: endpoints re-serialise policies with other spacing and key order. */
export function sameJson(observed: string | undefined, desired: string): boolean {
  if (observed === undefined) return false;
  try {
    return JSON.stringify(canonical(JSON.parse(observed))) === JSON.stringify(canonical(JSON.parse(desired)));
  } catch {
    return false;
  }
}

export function statusOf(existed: boolean, differs: boolean): ResourceStatus {
  if (!existed) return 'created';
  return differs ? 'updated' : 'unchanged';
}
