export {
  BunnyStreamDouble,
  type BunnyStreamDoubleOptions,
  type RecordedRequest,
  type RequestMatch,
  type UploadHold,
  WEBHOOK_STATUS,
  type WebhookDelivery,
} from './bunny-stream-double.js';
export type { RecordedUpload, UploadStorage } from './bunny-stream-library.js';
export { mp4DurationSeconds } from './mp4-duration.js';
export { startTcpGate, type TcpGate } from './tcp-gate.js';
export { startThrottleProxy, type ThrottleProxy, type ThrottleProxyOptions } from './throttle-proxy.js';
