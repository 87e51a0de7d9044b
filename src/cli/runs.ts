/** `orderflow runs list|show|retry`: reads and acts on runs straight in the store of the configuration. */
import { parseArgs } from 'node:util';
import { UserError } from '../core/errors.ts';
import { flowFiles, loadConfig } from '../config/load.ts';
import { loadFlowFile } from '../flows/load.ts';
import { openStore, type RunRecord, type RunStatus } from '../store/index.ts';
import { databaseUrlOf } from './runtime.ts';

function line(r: RunRecord): string {
  const err = r.lastError as { code?: string; message?: string } | null;
  return [String(r.id).padStart(6), r.status.padEnd(9), r.flowId.padEnd(20), r.entityKey.padEnd(24), r.currentStep ?? '-', err?.message ? `  ${err.code}: ${err.message}` : ''].join('  ');
}

export async function runsCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { config: { type: 'string' }, status: { type: 'string' }, flow: { type: 'string' }, entity: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' }, 'current-flow': { type: 'boolean' } } });
  const loaded = loadConfig(values.config);
  const store = await openStore(databaseUrlOf(loaded), { listen: false });
  try {
    const idArg = () => {
      const id = Number(positionals[0]);
      if (!Number.isInteger(id) || id <= 0) throw new UserError('OF_CLI_RUN_ID', `runs ${sub} needs a run id (a positive whole number), got '${positionals[0] ?? ''}'`);
      return id;
    };
    /** --current-flow: the run's flow as the configuration's flow files hold it now, stored as a version. */
    const currentVersionFor = async (id: number): Promise<string> => {
      const run = await store.getRun(id);
      if (!run) throw new UserError('OF_RUN_NOT_FOUND', `run ${id} does not exist`);
      for (const file of flowFiles(loaded.config, loaded.dir)) {
        const flow = await loadFlowFile(file);
        if (flow.flow.id !== run.flowId) continue;
        if (run.currentStep !== null && !flow.flow.steps.some((st) => st.id === run.currentStep)) {
          throw new UserError('OF_RETRY_STEP_MISSING', `run ${id} resumes at step '${run.currentStep}', which ${file} does not have; retry without --current-flow, or replay the run`, { runId: id, step: run.currentStep });
        }
        await store.saveFlowVersion(flow.flow.id, flow.hash, flow.source, flow.flow);
        return flow.hash;
      }
      throw new UserError('OF_FLOW_UNKNOWN', `no flow file of the configuration defines flow '${run.flowId}' (run ${id}); add it to flows, or retry without --current-flow`, { flowId: run.flowId });
    };
    switch (sub) {
      case 'list': {
        const runs = await store.listRuns({ status: values.status as RunStatus | undefined, flowId: values.flow, entityKey: values.entity, limit: values.limit ? Number(values.limit) : 50 });
        if (values.json) process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
        else for (const r of runs) process.stdout.write(`${line(r)}\n`);
        return 0;
      }
      case 'show': {
        const id = idArg();
        const run = await store.getRun(id);
        if (!run) throw new UserError('OF_RUN_NOT_FOUND', `run ${id} does not exist`);
        const attempts = await store.listAttempts(id);
        if (values.json) {
          process.stdout.write(`${JSON.stringify({ run, attempts }, null, 2)}\n`);
          return 0;
        }
        process.stdout.write(`${line(run)}\n\n`);
        for (const a of attempts) {
          const err = a.error as { code?: string; message?: string } | null;
          process.stdout.write(`  ${a.stepId.padEnd(22)} #${a.attempt}  ${a.status.padEnd(11)} ${String(a.durationMs ?? '-').padStart(6)} ms${err ? `  ${err.code}: ${err.message}` : ''}\n`);
        }
        return 0;
      }
      case 'retry': {
        const id = idArg();
        const version = values['current-flow'] ? await currentVersionFor(id) : undefined;
        const run = await store.retryRun(id, Date.now(), version);
        process.stdout.write(`run ${run.id} queued again at step '${run.currentStep}'${version ? ` on flow version ${version.slice(0, 12)}` : ''}\n`);
        return 0;
      }
      default:
        throw new UserError('OF_CLI_USAGE', `unknown runs command '${sub ?? ''}'; use list, show or retry`);
    }
  } finally {
    await store.close();
  }
}
