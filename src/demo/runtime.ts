/** The demo's parts, started together. Replaced piece by piece as the order flow grows. */
import type { DemoOptions } from './start.ts';
import { startSapB1Emulator } from '../emulators/sapb1/index.ts';
import { startPrestaShopEmulator } from '../emulators/prestashop/index.ts';
import { startRuntime } from '../cli/runtime.ts';

export async function startDemoRuntime(opts: DemoOptions): Promise<{ stop(): Promise<void> }> {
  const erp = await startSapB1Emulator({ port: 0, seed: 'demo' });
  const shop = await startPrestaShopEmulator({ port: 0, key: 'DEMOKEYDEMOKEYDEMOKEYDEMOKEY1234', seed: 'demo' });
  const rt = await startRuntime({ config: {}, file: null, dir: process.cwd() }, { mode: 'start', log: opts.log, port: opts.port ?? 8080 });
  process.stdout.write(`orderflow demo\n  API      ${rt.url}/api/runs\n  docs     ${rt.url}/api/docs\n  shop     ${shop.url}/api/\n  ERP      ${erp.url}\n`);
  return {
    async stop() {
      await rt.stop();
      await shop.close();
      await erp.close();
    },
  };
}
