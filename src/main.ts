import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { createService, pinoOptions } from './service.js';

/** Composition root: config → service → listen; signals stop it gracefully. */
const main = async () => {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = pino(pinoOptions(config.logLevel));
  const service = await createService(config, logger);
  await service.app.listen({ port: config.port, host: config.host });
  logger.info({ store: service.store.kind, dataDir: config.dataDir, publicUrl: config.publicUrl }, 'impact-ledger started');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    await service.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
};

main().catch((error: unknown) => {
  process.stderr.write(`impact-ledger failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
