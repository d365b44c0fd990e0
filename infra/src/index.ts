export {
  DEFINITION_FILES,
  DEFINITIONS_DIR,
  DefinitionError,
  fillPlaceholders,
  loadDefinition,
} from './definitions.js';
export type { ResourceChange, ResourceStatus } from './local/changes.js';
export {
  ensureLocalTopology,
  type LocalTopology,
  type LocalTopologyOptions,
  type TopologyClients,
} from './local/ensure-topology.js';
export { bucketArn, eventPatternFor, loadBucketSettings, loadQueueSettings } from './settings.js';
