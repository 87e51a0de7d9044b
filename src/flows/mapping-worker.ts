/**
 * Runs inside a sandbox worker: evaluates one mapping per message and answers its value or its
 * serialised error. The parent terminates this thread when an evaluation overruns its hard deadline.
 */
import { parentPort } from 'node:worker_threads';
import { serializeError } from '../core/errors.ts';
import { evaluateMapping } from './mapping.ts';

export interface SandboxRequest {
  id: number;
  expr: string;
  data: unknown;
  timeoutMs: number;
}

export type SandboxReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: ReturnType<typeof serializeError> };

const port = parentPort;
if (port) {
  port.on('message', (req: SandboxRequest) => {
    evaluateMapping(req.expr, req.data, { timeoutMs: req.timeoutMs }).then(
      (value) => port.postMessage({ id: req.id, ok: true, value } satisfies SandboxReply),
      (err: unknown) => port.postMessage({ id: req.id, ok: false, error: serializeError(err) } satisfies SandboxReply),
    );
  });
  port.postMessage('ready');
}
