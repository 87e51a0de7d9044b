/** The benchmark's flow: five no-op actions (each one journaled: a started and a finished attempt). */
import type { FlowDefinition } from '../src/flows/types.ts';
import { loaded } from '../test/helpers/engine.ts';

export function benchFlow() {
  const steps = [1, 2, 3, 4, 5].map((i) => ({ id: `s${i}`, kind: 'action', connection: 'sys', action: 'noop' }));
  return loaded({ id: 'bench', trigger: { connection: 'src', event: 'bench' }, steps } as unknown as FlowDefinition);
}
