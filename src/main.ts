/** `npm start`: the service, configured from the environment (README.md, "Configuration"). */
import 'reflect-metadata';
import { createApp, type App } from './app';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { formatSummary, startSummary } from './start-summary';

/** A start that cannot succeed as configured: one clear line, no stack. */
class StartError extends Error {}

function explainListenError(err: unknown, host: string, port: number): never {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') throw new StartError(`port ${port} is already in use on ${host} (another \`npm start\`?): stop it or set PORT`);
  if (code === 'EACCES') throw new StartError(`port ${port} on ${host} needs privileges: set PORT above 1023`);
  if (code === 'EADDRNOTAVAIL') throw new StartError(`HOST ${host} is not an address of this machine`);
  throw err;
}

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel, config.logFormat);
  let app: App | undefined;
  let listening: string;
  try {
    app = await createApp(config, { logger });
    listening = await app.listen().catch((err) => explainListenError(err, config.host, config.port));
  } catch (err) {
    await app?.close().catch(() => undefined);
    throw err;
  }
  const summary = startSummary(app, `http://localhost:${new URL(listening).port}`);
  if (config.logFormat === 'pretty') process.stdout.write(formatSummary(summary, config.env));
  else logger.info(summary, 'ready');

  let stopping = false;
  const running = app;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 15 s; exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    running.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  if (err instanceof StartError || err instanceof ConfigError) {
    process.stderr.write(`cannot start: ${(err as Error).message}\n`);
  } else {
    process.stderr.write(`failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  }
  process.exit(1);
});
