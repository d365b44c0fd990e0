export { type AwsClients, createAwsClients, uniqueName } from './aws.js';
export {
  type CliMain,
  type CliProcessOptions,
  type CliRun,
  killProcessGroup,
  runCliInProcess,
  runCliProcess,
} from './cli-run.js';
export {
  freePort,
  type MotoHandle,
  type MotoServer,
  startMotoServer,
  TEST_AWS_ENV,
  useMotoServer,
} from './moto.js';
export { createTestDatabase, type DatabaseHandle, type TestDatabase, useTestDatabase } from './postgres.js';
export { applyEnv, useTestAwsEnv } from './env.js';
export { AGENT_BIN, CONSUMER_BIN } from './programs.js';
export { bodiesOf, drainQueue } from './queues.js';
export {
  describeResource,
  openResources,
  type ResourceKind,
  type TrackedResource,
  trackResource,
} from './resources.js';
export { createTempDir, type TempDir, type UsedTempDir, useTempDir } from './temp-dir.js';
export { waitFor } from './wait.js';
