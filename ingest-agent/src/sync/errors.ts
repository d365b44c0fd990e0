import { PipelineError } from '@exercise-pipeline/shared';

/** Files in a local bundle that the bucket layout has no place for; nothing is uploaded. */
export class BundleLayoutError extends PipelineError {
  readonly localDir: string;
  /** Paths relative to `localDir`, `/`-separated. */
  readonly files: readonly string[];

  constructor(localDir: string, files: readonly string[], problem: string, fix: string) {
    super(`${localDir}: ${problem}: ${files.join(', ')}; ${fix}`, { code: 'BUNDLE_LAYOUT_INVALID' });
    this.localDir = localDir;
    this.files = files;
  }
}

/** What the bucket holds after an upload differs from the local file (a concurrent writer, or corruption). */
export class SyncVerifyError extends PipelineError {
  readonly bucket: string;
  readonly key: string;

  constructor(bucket: string, key: string, problem: string) {
    super(
      `s3://${bucket}/${key}: ${problem} after upload; check for another writer on this prefix and sync again`,
      { code: 'SYNC_VERIFY_FAILED' },
    );
    this.bucket = bucket;
    this.key = key;
  }
}

/** EventBridge accepted the PutEvents call but not the entry. */
export class EventPublishError extends PipelineError {
  readonly eventBusName: string;

  constructor(eventBusName: string, errorCode: string | undefined, errorMessage: string | undefined) {
    const transient = errorCode === undefined || /Internal|Throttl/i.test(errorCode);
    super(
      `event bus "${eventBusName}" refused the "Bundle Synced" event: ${errorCode ?? 'unknown error'} ${errorMessage ?? ''}`.trim() +
        (transient ? '' : '; check EVENT_BUS_NAME and the agent role’s events:PutEvents permission'),
      { code: 'EVENT_PUBLISH_FAILED', retryable: transient },
    );
    this.eventBusName = eventBusName;
  }
}
