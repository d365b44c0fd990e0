export type { ExerciseLocks } from './exercise-locks.js';
export { type IngestOptions, type IngestStep, ingestDelivery } from './ingest-delivery.js';
export { composeDeliveryPlan, type DeliveryPlan, planDelivery } from './plan-delivery.js';
export { publishDeliveryRefused } from './publish-delivery-refused.js';
export { REPORT_FILE_NAME, scanDelivery } from './scan-delivery.js';
export type { IngestResult, IngestStatus, RenamedFile } from './types.js';
export * from './check-staged.js';
export * from './inspect-delivery.js';
export * from './report-outcome.js';
