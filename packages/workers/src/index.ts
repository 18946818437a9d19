export { COMPATIBILITY_DATE, DEFAULT_ADDRESS, workerdConfig, workerName, wranglerConfig } from './config.js';
export { type DeployWorkerOptions, type DeployWorkerResult, deployWorker } from './deploy.js';
export { WorkersDeployError } from './errors.js';
export { ARG_PARAM, ERROR_HEADER, EXIT_CODE_HEADER, statusOf } from './worker/http.js';
export type { WorkerApp, WorkerMount } from './worker/runtime.js';
