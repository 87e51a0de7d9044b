// Entry of a mapping sandbox worker (see ./mapping-sandbox.ts). Plain JavaScript because a worker does not
// inherit a loader registered programmatically by its parent (bin/orderflow.mjs): it registers tsx itself.
import { register } from 'tsx/esm/api';

register();
await import('./mapping-worker.ts');
