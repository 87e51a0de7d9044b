/**
 * `orderflow emulate sapb1 --port P [--host H] [--seed demo|empty] [--faults SPEC] [--state FILE] [--session-timeout MIN]`:
 * starts the emulator, prints its URL and stays up until SIGINT or SIGTERM (the state file is written then).
 */
import { parseArgs } from 'node:util';
import { startSapB1Emulator } from './index.ts';

export async function runSapB1EmulatorCli(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '50000' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string', default: 'demo' },
      faults: { type: 'string' },
      state: { type: 'string' },
      'session-timeout': { type: 'string' },
    },
    strict: true,
  });
  const seed = values.seed;
  if (seed !== 'demo' && seed !== 'empty') throw new Error(`--seed must be 'demo' or 'empty', got '${seed}'`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got '${values.port}'`);
  const emu = await startSapB1Emulator({
    port,
    host: values.host,
    seed,
    faults: values.faults,
    stateFile: values.state,
    sessionTimeoutMinutes: values['session-timeout'] ? Number(values['session-timeout']) : undefined,
  });
  process.stdout.write(`SAP Business One Service Layer emulator listening on ${emu.url} (also ${emu.url.replace(/v1$/, 'v2')})\n`);
  process.stdout.write('Login: CompanyDB SBODEMO, UserName manager, Password 1234\n');
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await emu.close();
}

// Run directly: `node --import tsx src/emulators/sapb1/cli.ts --port 50000`.
if (import.meta.url === `file://${process.argv[1]}`) {
  runSapB1EmulatorCli(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
