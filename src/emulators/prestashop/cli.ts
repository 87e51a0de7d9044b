/**
 * `orderflow emulate prestashop --port P --key KEY [--ps-version 8|1.7] [--seed demo] [--faults SPEC]
 * [--webhook-url URL --webhook-secret S] [--host H] [--timezone TZ]`: serves the emulated shop until
 * SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startPrestaShopEmulator } from './index.ts';

export async function runPrestaShopEmulatorCli(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '8081' },
      host: { type: 'string', default: '127.0.0.1' },
      key: { type: 'string' },
      'ps-version': { type: 'string', default: '8' },
      seed: { type: 'string', default: 'empty' },
      faults: { type: 'string' },
      'webhook-url': { type: 'string' },
      'webhook-secret': { type: 'string' },
      timezone: { type: 'string' },
    },
    strict: true,
  });
  if (!values.key || values.key.length !== 32) throw new Error('--key must be the 32-character webservice key (e.g. --key ORDERFLOWDEMOKEY0000000000000001)');
  const psVersion = values['ps-version'];
  if (psVersion !== '8' && psVersion !== '1.7') throw new Error(`--ps-version must be 8 or 1.7, got '${psVersion}'`);
  if (values.seed !== 'demo' && values.seed !== 'empty') throw new Error(`--seed must be demo or empty, got '${values.seed}'`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got '${values.port}'`);
  const emu = await startPrestaShopEmulator({
    port,
    host: values.host,
    key: values.key,
    psVersion,
    seed: values.seed,
    faults: values.faults,
    webhookUrl: values['webhook-url'],
    webhookSecret: values['webhook-secret'],
    timezone: values.timezone,
  });
  process.stdout.write(`PrestaShop ${psVersion} emulator: ${emu.url}/api/ (key ${values.key}, seed ${values.seed})\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await emu.close();
}
