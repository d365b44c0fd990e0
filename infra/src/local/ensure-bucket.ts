import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
  type Tag,
} from '@aws-sdk/client-s3';
import type { BucketSettings } from '../settings.js';
import { type ResourceChange, readOrAbsent, statusOf } from './changes.js';

export interface EnsureBucketOptions {
  bucket: string;
  region: string;
  /** Versioning wanted on the bucket; `false` suspends it when it was ever enabled. */
  versioning: boolean;
  settings: BucketSettings;
}

/**
 * Some emulators (moto 5.2.1) accept an EventBridge notification but never report it back. This tag
 * records that the bootstrap applied it, so a re-run can say "unchanged" truthfully instead of
 * re-applying forever; it is only consulted when the endpoint stays silent.
 */
export const EVENTBRIDGE_MARKER_TAG = 'exercise-pipeline:eventbridge-notifications';

export async function ensureBucket(s3: S3Client, options: EnsureBucketOptions): Promise<ResourceChange[]> {
  const { bucket } = options;
  return [
    await ensureBucketExists(s3, bucket, options.region),
    await ensureEncryption(s3, bucket, options.settings),
    await ensurePublicAccessBlock(s3, bucket, options.settings),
    await ensureVersioning(s3, bucket, options.versioning),
    await ensureEventBridgeNotifications(s3, bucket),
  ];
}

async function ensureBucketExists(s3: S3Client, bucket: string, region: string): Promise<ResourceChange> {
  const existed =
    (await readOrAbsent(() => s3.send(new HeadBucketCommand({ Bucket: bucket })))) !== undefined;
  if (!existed) {
    // us-east-1 is the one region that refuses an explicit LocationConstraint.
    const configuration =
      region === 'us-east-1' ? undefined : { LocationConstraint: region as BucketLocationConstraint };
    await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: configuration }));
  }
  return { resource: 'bucket', name: bucket, status: statusOf(existed, false) };
}

async function ensureEncryption(
  s3: S3Client,
  bucket: string,
  settings: BucketSettings,
): Promise<ResourceChange> {
  const observed = await readOrAbsent(() => s3.send(new GetBucketEncryptionCommand({ Bucket: bucket })));
  const rule = observed?.ServerSideEncryptionConfiguration?.Rules?.[0];
  const wanted = settings.serverSideEncryption;
  const matches =
    rule?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm === wanted.sseAlgorithm &&
    (rule.BucketKeyEnabled ?? false) === wanted.bucketKeyEnabled;
  if (!matches) {
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: { SSEAlgorithm: wanted.sseAlgorithm },
              BucketKeyEnabled: wanted.bucketKeyEnabled,
            },
          ],
        },
      }),
    );
  }
  return { resource: 'bucket-encryption', name: bucket, status: statusOf(rule !== undefined, !matches) };
}

async function ensurePublicAccessBlock(
  s3: S3Client,
  bucket: string,
  settings: BucketSettings,
): Promise<ResourceChange> {
  const observed = await readOrAbsent(() => s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })));
  const current = observed?.PublicAccessBlockConfiguration;
  const wanted = {
    BlockPublicAcls: settings.publicAccessBlock.blockPublicAcls,
    BlockPublicPolicy: settings.publicAccessBlock.blockPublicPolicy,
    IgnorePublicAcls: settings.publicAccessBlock.ignorePublicAcls,
    RestrictPublicBuckets: settings.publicAccessBlock.restrictPublicBuckets,
  };
  const matches =
    current !== undefined &&
    (Object.keys(wanted) as (keyof typeof wanted)[]).every((key) => (current[key] ?? false) === wanted[key]);
  if (!matches) {
    await s3.send(
      new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: wanted }),
    );
  }
  return {
    resource: 'bucket-public-access-block',
    name: bucket,
    status: statusOf(current !== undefined, !matches),
  };
}

async function ensureVersioning(s3: S3Client, bucket: string, versioning: boolean): Promise<ResourceChange> {
  const observed = (await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status;
  // A bucket that never had versioning cannot be "Suspended"; leaving it unset is the same outcome.
  const wanted = versioning ? 'Enabled' : observed === undefined ? undefined : 'Suspended';
  if (observed !== wanted && wanted !== undefined) {
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: wanted } }),
    );
  }
  return { resource: 'bucket-versioning', name: bucket, status: statusOf(true, observed !== wanted) };
}

async function readTags(s3: S3Client, bucket: string): Promise<Tag[]> {
  const tagging = await readOrAbsent(() => s3.send(new GetBucketTaggingCommand({ Bucket: bucket })));
  return tagging?.TagSet ?? [];
}

async function ensureEventBridgeNotifications(s3: S3Client, bucket: string): Promise<ResourceChange> {
  const read = () => s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
  const observed = await read();
  if (observed.EventBridgeConfiguration !== undefined) {
    return { resource: 'bucket-notifications', name: bucket, status: 'unchanged' };
  }
  const tags = await readTags(s3, bucket);
  if (tags.some((tag) => tag.Key === EVENTBRIDGE_MARKER_TAG)) {
    return { resource: 'bucket-notifications', name: bucket, status: 'unchanged' };
  }
  // Keep whatever queue/topic/lambda notifications the bucket already has: the put replaces them all.
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        TopicConfigurations: observed.TopicConfigurations,
        QueueConfigurations: observed.QueueConfigurations,
        LambdaFunctionConfigurations: observed.LambdaFunctionConfigurations,
        EventBridgeConfiguration: {},
      },
    }),
  );
  if ((await read()).EventBridgeConfiguration === undefined) {
    await s3.send(
      new PutBucketTaggingCommand({
        Bucket: bucket,
        Tagging: { TagSet: [...tags, { Key: EVENTBRIDGE_MARKER_TAG, Value: 'enabled' }] },
      }),
    );
  }
  const hadOther =
    (observed.TopicConfigurations?.length ?? 0) +
      (observed.QueueConfigurations?.length ?? 0) +
      (observed.LambdaFunctionConfigurations?.length ?? 0) >
    0;
  return { resource: 'bucket-notifications', name: bucket, status: hadOther ? 'updated' : 'created' };
}
