import { isIP } from 'node:net';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CompileOptions } from '../model/index.ts';

/** Everything the process is configured with. Built only from CLI flags; validated before anything listens. */
export interface GatewayConfig {
  readonly manifests: string | undefined;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly statusPort: number;
  readonly bindAddress: string;
  readonly compile: CompileOptions;
  readonly logLevel: LogLevel;
  readonly proxyConnectTimeoutMs: number;
  readonly proxyReadTimeoutMs: number;
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** Thrown for usage errors; the CLI prints the one-line message and exits with status 2. */
export class UsageError extends Error {}

function parsePort(value: string): number {
  // Port 0 asks the OS for a free port (tests and side-by-side runs); the chosen port is logged.
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new InvalidArgumentError('must be a port number 0-65535.');
  }
  return Number(value);
}

function parseAddress(value: string): string {
  if (isIP(value) === 0) throw new InvalidArgumentError('must be an IPv4 or IPv6 address.');
  return value;
}

/** Seconds, as ingress-nginx's proxy-*-timeout settings are written; fractions allowed. */
function parseSeconds(value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0 || Number(value) > 86_400) {
    throw new InvalidArgumentError('must be a number of seconds greater than 0 (at most 86400).');
  }
  return Math.round(Number(value) * 1000);
}

function parseNonEmpty(value: string): string {
  if (value.trim() === '' || /[\r\n]/.test(value)) throw new InvalidArgumentError('must be a non-empty single line.');
  return value;
}

function buildCommand(): Command {
  return new Command('sluice')
    .description('Kubernetes ingress controller and edge gateway, compatible with ingress-nginx annotations.')
    .option('--manifests <path>', 'serve objects from a YAML file or directory (no cluster); watched for changes')
    .option('--http-port <port>', 'HTTP listener port', parsePort, 8080)
    .option('--https-port <port>', 'HTTPS listener port (TLS arrives in a later release)', parsePort, 8443)
    .option('--status-port <port>', 'status listener: GET /healthz, /readyz', parsePort, 10254)
    .option('--bind-address <ip>', 'address the listeners bind to', parseAddress, '0.0.0.0')
    .option('--ingress-class <name>', 'IngressClass name (and legacy annotation value) to serve', parseNonEmpty, 'sluice')
    .option(
      '--controller-class <name>',
      'IngressClass spec.controller value to serve',
      parseNonEmpty,
      'sluice.dev/ingress-controller',
    )
    .option('--watch-ingress-without-class', 'also serve Ingresses that name no class', false)
    .addOption(new Option('--log-level <level>', 'log verbosity').choices(logLevels).default('info'))
    .option('--proxy-connect-timeout <seconds>', 'upstream connect timeout (→ 504)', parseSeconds, 5000)
    .option('--proxy-read-timeout <seconds>', 'upstream read timeout between two reads (→ 504)', parseSeconds, 60_000)
    .helpOption('-h, --help', 'show this help')
    .allowExcessArguments(false)
    .showHelpAfterError(false);
}

interface RawOptions {
  manifests?: string;
  httpPort: number;
  httpsPort: number;
  statusPort: number;
  bindAddress: string;
  ingressClass: string;
  controllerClass: string;
  watchIngressWithoutClass: boolean;
  logLevel: LogLevel;
  proxyConnectTimeout: number;
  proxyReadTimeout: number;
}

export type ParseResult = { kind: 'config'; config: GatewayConfig } | { kind: 'exit'; code: number; output: string };

/** Parses argv (without node and script). Never exits the process itself, so it is testable. */
export function parseArgs(argv: readonly string[]): ParseResult {
  let output = '';
  const command = buildCommand()
    .exitOverride()
    .configureOutput({ writeOut: (s) => (output += s), writeErr: (s) => (output += s) });
  try {
    command.parse([...argv], { from: 'user' });
  } catch (error: unknown) {
    const err = error as { exitCode?: number; code?: string; message?: string };
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help') {
      return { kind: 'exit', code: 0, output };
    }
    // Usage errors exit 2 (the convention of getopt tools), with commander's one-line message naming the flag.
    return { kind: 'exit', code: 2, output: firstLine(err.message ?? output) };
  }
  const raw = command.opts<RawOptions>();
  if (raw.manifests === undefined) {
    return {
      kind: 'exit',
      code: 2,
      output: 'error: no source given: --manifests <path> is required (the Kubernetes API source is not built yet)',
    };
  }
  return { kind: 'config', config: toConfig(raw) };
}

function toConfig(raw: RawOptions): GatewayConfig {
  return {
    manifests: raw.manifests,
    httpPort: raw.httpPort,
    httpsPort: raw.httpsPort,
    statusPort: raw.statusPort,
    bindAddress: raw.bindAddress,
    compile: {
      ingressClass: raw.ingressClass,
      controllerClass: raw.controllerClass,
      watchIngressWithoutClass: raw.watchIngressWithoutClass,
    },
    logLevel: raw.logLevel,
    proxyConnectTimeoutMs: raw.proxyConnectTimeout,
    proxyReadTimeoutMs: raw.proxyReadTimeout,
  };
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
