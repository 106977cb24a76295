// The `sluice` command: parse flags (usage errors exit 2 before anything listens), start the gateway, and turn
// SIGTERM/SIGINT into a graceful shutdown. Run by bin/sluice.mjs; importing this module does nothing by itself
// (bin/warm-compile-cache.mjs imports every module of src/).
import { pino } from 'pino';
import { parseArgs } from './cli/options.ts';
import { startGateway, type RunningGateway } from './main.ts';
import { stdoutWriter } from './proxy/access-log/line-sink.ts';

export async function runCli(argv: readonly string[]): Promise<void> {
  const parsed = parseArgs(argv);
  if (parsed.kind === 'exit') {
    (parsed.code === 0 ? process.stdout : process.stderr).write(parsed.output.trimEnd() + '\n');
    process.exit(parsed.code);
  }

  const { config } = parsed;
  const options = { level: config.logLevel, base: undefined };
  // --access-log stdout: the logs and the access log share stdout's one writer (line-sink.ts says why).
  const stdout = config.accessLog === 'stdout' ? stdoutWriter() : null;
  const logger = stdout === null ? pino(options) : pino(options, stdout.logDestination);
  const fatal = (error: unknown, message: string): never => {
    logger.fatal({ err: error }, message);
    stdout?.flushSync();
    process.exit(1);
  };

  // A bug that escapes every handler leaves state we cannot reason about: log it and exit non-zero so the
  // orchestrator restarts a clean process. Bad input is handled where it arrives and never gets here.
  process.on('uncaughtException', (error) => fatal(error, 'uncaught exception; exiting'));
  process.on('unhandledRejection', (reason) => fatal(reason, 'unhandled promise rejection; exiting'));

  // The signal handlers go in before anything starts: without one, SIGTERM's default action kills the process
  // at once, by the signal. During start-up nothing serves yet, so there is nothing to drain: the gateway says so
  // and exits 0 at once (it may be waiting for an API it cannot list: the wait would never end).
  let started: RunningGateway | null = null;
  let signalled = false;
  const stop = (signal: string): void => {
    if (signalled) return;
    signalled = true;
    const gateway = started;
    if (gateway === null) {
      logger.info({ signal }, 'shutting down during start-up: nothing to drain');
      stdout?.flushSync();
      process.exit(0);
    }
    logger.info({ signal, delayMs: config.shutdownDelayMs, graceMs: config.shutdownGraceMs }, 'shutting down');
    void gateway.shutdown(config.shutdownDelayMs, config.shutdownGraceMs).then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  try {
    started = await startGateway(config, logger, stdout);
  } catch (error: unknown) {
    fatal(error, 'cannot start');
  }
}
