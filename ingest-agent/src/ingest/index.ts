export type { ExerciseLocks } from './ExerciseLocks.js';
export { type IngestOptions, type IngestStep, ingestDelivery } from './ingestDelivery.js';
export { composeDeliveryPlan, type DeliveryPlan, planDelivery } from './planDelivery.js';
export { publishDeliveryRefused } from './publishDeliveryRefused.js';
export { REPORT_FILE_NAME, scanDelivery } from './scanDelivery.js';
export type { IngestResult, IngestStatus, RenamedFile } from './types.js';
