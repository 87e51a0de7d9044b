/**
 * `orderflow <command>`: the command line. Output meant for people goes to stdout; logs (JSON lines) to stderr.
 */
import { parseArgs } from 'node:util';
import { OrderflowError } from '../core/errors.ts';
import { loadConfig } from '../config/load.ts';
import { migrate, openDatabase } from '../store/db.ts';
import { createLogger } from './logger.ts';
import { databaseUrlOf, startRuntime } from './runtime.ts';
import { runsCommand } from './runs.ts';

const HELP = `orderflow — order automation between a B2B shop and its ERP

Usage:
  orderflow start [--config FILE] [--port N] [--orders-per-minute N]
                                  server + workers + pollers in one process (no configuration: the demo)
  orderflow worker [--config FILE] [--workers N]
                                  workers only (scale out on PostgreSQL)
  orderflow migrate [--config FILE]
                                  apply pending database migrations
  orderflow flows validate FILE…  check flow files; problems name the file, the line, the path and the fix
  orderflow runs list [--status S] [--flow F] [--entity K] [--limit N]
  orderflow runs show ID          a run with every step attempt
  orderflow runs retry ID [--current-flow]
                                  retry a blocked or dead run from the failed step (on the flow file as it is now)
  orderflow emulate sapb1 --port P [--seed demo] [--faults SPEC] [--state FILE]
  orderflow emulate prestashop --port P --key KEY [--ps-version 8|1.7] [--seed demo] [--faults SPEC]

Environment: DATABASE_URL (sqlite:PATH or postgres://…), ORDERFLOW_CONFIG, LOG_LEVEL.
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'start':
        return await start(rest);
      case 'worker':
        return await worker(rest);
      case 'migrate':
        return await migrateCommand(rest);
      case 'flows': {
        if (rest[0] !== 'validate') return usage(`unknown flows command '${rest[0] ?? ''}'`);
        const { runFlowsValidateCli } = await import('../flows/validate-cli.ts');
        return await runFlowsValidateCli(rest.slice(1));
      }
      case 'runs':
        return await runsCommand(rest);
      case 'emulate':
        return await emulate(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        return 0;
      default:
        return usage(`unknown command '${command}'`);
    }
  } catch (err) {
    if (err instanceof OrderflowError && err.kind === 'user') {
      process.stderr.write(`orderflow: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`orderflow: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

function usage(problem: string): number {
  process.stderr.write(`orderflow: ${problem}\n\n${HELP}`);
  return 2;
}

/** Resolves when the process is asked to stop. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

async function start(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'orders-per-minute': { type: 'string' }, workers: { type: 'string' } } });
  const loaded = loadConfig(values.config);
  const log = createLogger(loaded.config.log?.level);
  if (!loaded.file) {
    const { startDemo } = await import('../demo/start.ts');
    return startDemo({ log, port: values.port ? Number(values.port) : undefined, ordersPerMinute: values['orders-per-minute'] ? Number(values['orders-per-minute']) : undefined, untilSignal });
  }
  const rt = await startRuntime(loaded, { mode: 'start', log, port: values.port ? Number(values.port) : undefined, host: values.host, workers: values.workers ? Number(values.workers) : undefined });
  process.stdout.write(`orderflow is running\n  API        ${rt.url}/api/runs\n  API docs   ${rt.url}/api/docs\n  webhooks   ${rt.url}/hooks/<connection>\n  metrics    ${rt.url}/metrics\n  database   ${rt.store.dialect}\n  config     ${loaded.file}\n`);
  const sig = await untilSignal();
  log.info({ signal: sig }, 'stopping');
  await rt.stop();
  return 0;
}

async function worker(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, workers: { type: 'string' } } });
  const loaded = loadConfig(values.config);
  const log = createLogger(loaded.config.log?.level);
  const rt = await startRuntime(loaded, { mode: 'worker', log, workers: values.workers ? Number(values.workers) : undefined });
  process.stdout.write(`orderflow worker running on ${rt.store.dialect} (pid ${process.pid})\n`);
  const sig = await untilSignal();
  log.info({ signal: sig }, 'stopping');
  await rt.stop();
  return 0;
}

async function migrateCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' } } });
  const loaded = loadConfig(values.config);
  const database = await openDatabase(databaseUrlOf(loaded));
  try {
    const applied = await migrate(database);
    process.stdout.write(applied.length > 0 ? `applied: ${applied.join(', ')}\n` : 'the database is up to date\n');
  } finally {
    await database.close();
  }
  return 0;
}

async function emulate(args: string[]): Promise<number> {
  const [which, ...rest] = args;
  if (which === 'sapb1') {
    const { runSapB1EmulatorCli } = await import('../emulators/sapb1/cli.ts');
    await runSapB1EmulatorCli(rest);
    return 0;
  }
  if (which === 'prestashop') {
    const { runPrestaShopEmulatorCli } = await import('../emulators/prestashop/cli.ts');
    await runPrestaShopEmulatorCli(rest);
    return 0;
  }
  return usage(`unknown emulator '${which ?? ''}': use sapb1 or prestashop`);
}
