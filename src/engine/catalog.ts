/**
 * The flows the engine knows: the current version of each flow (what new runs start on) and every
 * version a run may still be on (read back from the store: a run stays on the version it started with).
 */
import { BugError, UserError } from '../core/errors.ts';
import type { FlowDefinition, FlowStep, LoadedFlow } from '../flows/types.ts';
import type { EventRecord, RunTarget, Store } from '../store/port.ts';

export interface CatalogFlow {
  flow: FlowDefinition;
  version: string;
  /** Step lookup by id, and each step's position. */
  steps: Map<string, { step: FlowStep; index: number }>;
}

/** Where engine-made events (alerts, approvals, schedules) come from, as a connection name. */
export const ENGINE_SOURCE = 'orderflow';

function index(flow: FlowDefinition, version: string): CatalogFlow {
  const steps = new Map<string, { step: FlowStep; index: number }>();
  flow.steps.forEach((step, i) => steps.set(step.id, { step, index: i }));
  return { flow, version, steps };
}

export class FlowCatalog {
  private readonly current = new Map<string, CatalogFlow>();
  private readonly versions = new Map<string, CatalogFlow>();

  constructor(private readonly store: Store) {}

  /** Registers (or upgrades) a flow; its version is stored so runs started on it can always be resumed. */
  async register(loaded: Pick<LoadedFlow, 'flow' | 'source' | 'hash'>): Promise<CatalogFlow> {
    await this.store.saveFlowVersion(loaded.flow.id, loaded.hash, loaded.source, loaded.flow);
    const c = index(loaded.flow, loaded.hash);
    this.current.set(loaded.flow.id, c);
    this.versions.set(`${loaded.flow.id}@${loaded.hash}`, c);
    return c;
  }

  list(): CatalogFlow[] {
    return [...this.current.values()];
  }

  currentOf(flowId: string): CatalogFlow | undefined {
    return this.current.get(flowId);
  }

  async get(flowId: string, version: string): Promise<CatalogFlow> {
    const key = `${flowId}@${version}`;
    const hit = this.versions.get(key);
    if (hit) return hit;
    const stored = await this.store.getFlowVersion(flowId, version);
    if (!stored) throw new BugError('OF_FLOW_VERSION_MISSING', `flow '${flowId}' version ${version} is not in the store`);
    const c = index(stored.definition as FlowDefinition, version);
    this.versions.set(key, c);
    return c;
  }

  /** The runs an event starts: one per flow whose trigger names its source connection and type. */
  targetsFor(ev: Pick<EventRecord, 'source' | 'type'>): RunTarget[] {
    const out: RunTarget[] = [];
    for (const c of this.current.values()) {
      const t = c.flow.trigger;
      if (!t || t.connection !== ev.source) continue;
      if (t.event !== ev.type && !(t.event?.endsWith('*') && ev.type.startsWith(t.event.slice(0, -1)))) continue;
      const first = c.flow.steps[0];
      if (first) out.push({ flowId: c.flow.id, flowVersion: c.version, firstStep: first.id });
    }
    return out;
  }

  /** The target for starting one flow directly (schedules, manual starts). */
  targetOf(flowId: string): RunTarget {
    const c = this.current.get(flowId);
    const first = c ? c.flow.steps[0] : undefined;
    if (!c || !first) throw new UserError('OF_FLOW_UNKNOWN', `flow '${flowId}' is not loaded; check the flows directory`, { flowId });
    return { flowId, flowVersion: c.version, firstStep: first.id };
  }
}
