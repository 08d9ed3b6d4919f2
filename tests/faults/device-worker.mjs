// Worker entry: Node 20 does not take `--import tsx` in a worker's execArgv, so the TypeScript
// loader is registered here, in the worker, before the device (device-worker.ts) loads.
import { register } from 'tsx/esm/api';

register();
await import('./device-worker.ts');
