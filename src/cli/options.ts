import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CompileOptions, SettingValues } from '../model/index.ts';
// The flag and the ConfigMap key share one parser, so their syntax cannot drift apart.
import { parseSize } from '../router/settings/values.ts';

/** Everything the process is configured with. Built only from CLI flags; validated before anything listens. */
export interface GatewayConfig {
  readonly manifests: string | undefined;
  /** Kubernetes source (used when `manifests` is undefined); see src/watch/kube/kube-config.ts for the lookup order. */
  readonly kubeconfig: string | undefined;
  /** undefined: every namespace. */
  readonly watchNamespace: string | undefined;
  /** Addresses written to Ingress status; empty: the addresses of the nodes running Sluice pods. */
  readonly publishStatusAddresses: readonly string[];
  /** Name of the coordination.k8s.io/v1 Lease electing the one replica that writes Ingress status. */
  readonly electionId: string;
  /** Exit (status 1) after this long without a complete sync with the API, so Kubernetes restarts the pod. */
  readonly syncFailureTimeoutMs: number;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly statusPort: number;
  readonly bindAddress: string;
  /** SIGTERM → listeners keep accepting this long (readiness already 503) so kube-proxy and load balancers notice. */
  readonly shutdownDelayMs: number;
  /** Then in-flight requests and WebSockets get this long before being cut; the process then exits 0. */
  readonly shutdownGraceMs: number;
  /** Includes `settings`: the global settings' defaults (proxy timeouts, body size, limit statuses, HSTS). */
  readonly compile: CompileOptions;
  /** --configmap namespace/name: the global ConfigMap, whose keys override compile.settings; undefined: none. */
  readonly configMap: { readonly namespace: string; readonly name: string } | undefined;
  readonly logLevel: LogLevel;
  readonly tls: TlsConfig;
  /** --rate-limit-store: Redis for Ingresses with sluice.dev/rate-limit-scope: cluster; undefined: none. */
  readonly rateLimitStore: { readonly url: string; readonly timeoutMs: number } | undefined;
  /** --trusted-proxies: peers whose X-Forwarded-For/-Proto/-Port are believed (nginx realip); empty: none. */
  readonly trustedProxies: readonly string[];
  /** --no-metrics turns GET /metrics (status port) and its per-request bookkeeping off. */
  readonly metrics: boolean;
  /** --access-log: 'off', 'stdout' or a file path. */
  readonly accessLog: string;
  /** --workers: data-plane threads serving traffic (default: the cores available to the process). */
  readonly workers: number;
}

/** HTTPS listener settings (ingress-nginx flag and ConfigMap names in the comments). */
export interface TlsConfig {
  /** --default-ssl-certificate namespace/name; undefined: a self-signed fake certificate generated at start. */
  readonly defaultSslCertificate: { readonly namespace: string; readonly name: string } | undefined;
  /** ssl-protocols: a subset of TLSv1.2, TLSv1.3. */
  readonly protocols: ReadonlyArray<'TLSv1.2' | 'TLSv1.3'>;
  /** ssl-ciphers: OpenSSL cipher string. */
  readonly ciphers: string;
}

/** ingress-nginx's ssl-ciphers default (Mozilla intermediate) after the TLS 1.3 suites; see src/tls/tls-settings.ts. */
const defaultSslCiphers =
  'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

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

/** Whole or fractional seconds, 0 allowed (no delay); at most an hour, far above any termination grace period. */
function parseDuration(value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) > 3600) throw new InvalidArgumentError('must be a number of seconds 0-3600.');
  return Math.round(Number(value) * 1000);
}

function parseNonEmpty(value: string): string {
  if (value.trim() === '' || /[\r\n]/.test(value)) throw new InvalidArgumentError('must be a non-empty single line.');
  return value;
}

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A DNS-1123 subdomain, as annotation prefixes are (ingress-nginx --annotations-prefix). */
function parseAnnotationsPrefix(value: string): string {
  if (value.length > 253 || !value.split('.').every((label) => dns1123Label.test(label))) {
    throw new InvalidArgumentError('must be a DNS-1123 subdomain such as nginx.ingress.kubernetes.io.');
  }
  return value;
}

/** namespace/name of a Secret (--default-ssl-certificate) or a ConfigMap (--configmap). */
function parseObjectRef(kind: string): (value: string) => { namespace: string; name: string } {
  return (value) => {
    const [namespace = '', name = '', ...rest] = value.split('/');
    const subdomain = name.length <= 253 && name.split('.').every((label) => dns1123Label.test(label));
    if (rest.length > 0 || namespace.length > 63 || !dns1123Label.test(namespace) || !subdomain) {
      throw new InvalidArgumentError(`must be namespace/name of a ${kind}.`);
    }
    return { namespace, name };
  };
}

/** An nginx size, as the ConfigMap's proxy-body-size (router/settings/values.ts). */
function parseBodySize(value: string): number {
  const parsed = parseSize(value);
  if (!parsed.ok) throw new InvalidArgumentError('must be an nginx size such as 1m, 512k, 8g, or 0 for no limit.');
  return parsed.value;
}

/** Space- or comma-separated TLS versions; only 1.2 and 1.3 exist for Sluice (older ones: RFC 8996). */
function parseSslProtocols(value: string): Array<'TLSv1.2' | 'TLSv1.3'> {
  const versions = value.split(/[\s,]+/).filter((v) => v !== '');
  if (versions.length === 0 || versions.some((v) => v !== 'TLSv1.2' && v !== 'TLSv1.3')) {
    throw new InvalidArgumentError("must list TLSv1.2 and/or TLSv1.3 (older versions are not supported).");
  }
  return versions as Array<'TLSv1.2' | 'TLSv1.3'>;
}

function parseCiphers(value: string): string {
  if (!/^[A-Za-z0-9_:+!@=.-]+$/.test(value)) throw new InvalidArgumentError('must be an OpenSSL cipher list such as ECDHE-RSA-AES128-GCM-SHA256:...');
  return value;
}

function parseMaxAge(value: string): number {
  if (!/^\d{1,10}$/.test(value)) throw new InvalidArgumentError('must be a number of seconds.');
  return Number(value);
}

/** nginx's limit_req_status / limit_conn_status accept 400-599. */
function parseLimitStatus(value: string): number {
  if (!/^\d{3}$/.test(value) || Number(value) < 400 || Number(value) > 599) throw new InvalidArgumentError('must be an HTTP status 400-599 (429 is the usual choice).');
  return Number(value);
}

/** Comma-separated CIDRs or addresses (IPv4/IPv6), as ingress-nginx's proxy-real-ip-cidr. */
function parseCidrs(value: string): string[] {
  const cidrs = value.split(',').map((c) => c.trim()).filter((c) => c !== '');
  for (const cidr of cidrs) {
    const [address = '', bits, ...rest] = cidr.split('/');
    const family = isIP(address);
    const max = family === 4 ? 32 : 128;
    if (family === 0 || rest.length > 0 || (bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > max))) {
      throw new InvalidArgumentError(`must be comma-separated CIDRs such as 10.0.0.0/8,192.168.1.7 (bad: ${cidr}).`);
    }
  }
  return cidrs;
}

function parseRedisUrl(value: string): string {
  if (!/^rediss?:\/\/[^\s/]+(\/\d*)?$/.test(value)) throw new InvalidArgumentError('must be redis://host:port (or rediss://).');
  return value;
}

function parseMilliseconds(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('must be a number of milliseconds (1-99999).');
  return Number(value);
}

function parseNamespace(value: string): string {
  if (value.length > 63 || !dns1123Label.test(value)) throw new InvalidArgumentError('must be a namespace name (a DNS-1123 label).');
  return value;
}

/** Comma-separated IPs or DNS names, as ingress-nginx's --publish-status-address. */
function parseAddressList(value: string): string[] {
  const addresses = value.split(',').map((a) => a.trim()).filter((a) => a !== '');
  const hostname = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i;
  if (addresses.length === 0 || addresses.some((a) => isIP(a) === 0 && !hostname.test(a))) {
    throw new InvalidArgumentError('must be a comma-separated list of IP addresses or DNS names.');
  }
  return addresses;
}

function parseWorkers(value: string): number {
  if (!/^\d{1,3}$/.test(value) || Number(value) < 1 || Number(value) > 256) throw new InvalidArgumentError('must be a number of worker threads 1-256.');
  return Number(value);
}

function parseLeaseName(value: string): string {
  if (value.length > 253 || !value.split('.').every((label) => dns1123Label.test(label))) {
    throw new InvalidArgumentError('must be a lower-case DNS-1123 subdomain (a Lease name).');
  }
  return value;
}

function buildCommand(): Command {
  return new Command('sluice')
    .description('Kubernetes ingress controller and edge gateway, compatible with ingress-nginx annotations.')
    .option('--manifests <path>', 'serve objects from a YAML file or directory (no cluster); watched for changes')
    .option('--kubeconfig <path>', 'Kubernetes source: kubeconfig file (default: in-cluster service account, else $KUBECONFIG, else ~/.kube/config)')
    .option('--watch-namespace <namespace>', 'Kubernetes source: watch only this namespace (default: all)', parseNamespace)
    .option('--publish-status-address <addresses>', 'comma-separated IPs/DNS names written to Ingress status (default: addresses of the nodes running Sluice)', parseAddressList)
    .option('--election-id <name>', 'Lease electing the replica that writes Ingress status', parseLeaseName, 'sluice-leader')
    .option('--sync-failure-timeout <seconds>', 'exit with status 1 after this long without a complete sync with the Kubernetes API', parseSeconds, 300_000)
    .option('--http-port <port>', 'HTTP listener port', parsePort, 8080)
    .option('--https-port <port>', 'HTTPS listener port (HTTP/2 and HTTP/1.1 by ALPN, certificates by SNI)', parsePort, 8443)
    .option('--default-ssl-certificate <namespace/name>', 'kubernetes.io/tls Secret for unknown SNI and hosts without a usable Secret (default: a generated self-signed certificate)', parseObjectRef('Secret'))
    .option('--configmap <namespace/name>', 'global ConfigMap (ingress-nginx keys; watched, applied without restart); its keys override the flags below', parseObjectRef('ConfigMap'))
    .option('--ssl-protocols <versions>', 'TLS versions offered', parseSslProtocols, ['TLSv1.2', 'TLSv1.3'])
    .option('--ssl-ciphers <list>', 'OpenSSL cipher list (TLS 1.2 and TLS 1.3 suite names)', parseCiphers, defaultSslCiphers)
    .option('--no-hsts', 'do not send Strict-Transport-Security on HTTPS responses')
    .option('--hsts-max-age <seconds>', 'Strict-Transport-Security max-age', parseMaxAge, 31_536_000)
    .option('--no-hsts-include-subdomains', 'leave includeSubDomains out of Strict-Transport-Security')
    .option('--hsts-preload', 'add preload to Strict-Transport-Security', false)
    .option('--status-port <port>', 'status listener: GET /healthz, /readyz', parsePort, 10254)
    .option('--bind-address <ip>', 'address the listeners bind to', parseAddress, '0.0.0.0')
    // Defaults sum to the DaemonSet's terminationGracePeriodSeconds (30 s, Kubernetes' default), checked by test/deploy.
    .option('--shutdown-delay <seconds>', 'on SIGTERM, keep accepting this long (readiness already failing) before closing the listeners', parseDuration, 5000)
    .option('--shutdown-grace-period <seconds>', 'then let in-flight requests and WebSockets finish for up to this long', parseDuration, 25_000)
    .option('--ingress-class <name>', 'IngressClass name (and legacy annotation value) to serve', parseNonEmpty, 'sluice')
    .option(
      '--controller-class <name>',
      'IngressClass spec.controller value to serve',
      parseNonEmpty,
      'sluice.dev/ingress-controller',
    )
    .option('--watch-ingress-without-class', 'also serve Ingresses that name no class', false)
    .option('--annotations-prefix <prefix>', 'prefix of the ingress-nginx annotations read', parseAnnotationsPrefix, 'nginx.ingress.kubernetes.io')
    .addOption(
      new Option('--path-matching <mode>', "nginx: ingress-nginx's regex mode and trailing-slash 301s; spec: Kubernetes Exact/Prefix only")
        .choices(['nginx', 'spec'])
        .default('nginx'),
    )
    .addOption(new Option('--log-level <level>', 'log verbosity').choices(logLevels).default('info'))
    .option('--proxy-connect-timeout <seconds>', 'upstream connect timeout (→ 504)', parseSeconds, 5000)
    .option('--proxy-read-timeout <seconds>', 'upstream read timeout between two reads (→ 504)', parseSeconds, 60_000)
    .option('--proxy-send-timeout <seconds>', 'upstream send timeout between two writes of the request (→ 504)', parseSeconds, 60_000)
    .option('--proxy-body-size <size>', 'largest request body (→ 413), nginx size syntax; 0: no limit', parseBodySize, 1024 * 1024)
    .option('--limit-req-status-code <status>', 'status of requests refused by limit-rps/limit-rpm (429 adds Retry-After)', parseLimitStatus, 503)
    .option('--limit-conn-status-code <status>', 'status of requests refused by limit-connections', parseLimitStatus, 503)
    .option('--rate-limit-store <url>', 'redis://host:port sharing limit-rps/limit-rpm across replicas for Ingresses annotated sluice.dev/rate-limit-scope: cluster', parseRedisUrl)
    .option('--trusted-proxies <cidrs>', 'peers whose X-Forwarded-For/-Proto/-Port are trusted (client address as nginx real_ip_recursive); default: none', parseCidrs, [])
    .option('--no-metrics', 'turn off GET /metrics on the status port and its per-request counting')
    .option('--access-log <target>', 'one JSON line per request: off, stdout or a file path', parseNonEmpty, 'off')
    .option('--rate-limit-store-timeout <ms>', 'longest wait for the store per request before limiting per node instead', parseMilliseconds, 5)
    .option('--workers <n>', 'data-plane worker threads serving traffic (default: the cores available)', parseWorkers, availableParallelism())
    .helpOption('-h, --help', 'show this help')
    .allowExcessArguments(false)
    .showHelpAfterError(false);
}

interface RawOptions {
  manifests?: string;
  kubeconfig?: string;
  watchNamespace?: string;
  publishStatusAddress?: string[];
  electionId: string;
  syncFailureTimeout: number;
  httpPort: number;
  httpsPort: number;
  statusPort: number;
  bindAddress: string;
  shutdownDelay: number;
  shutdownGracePeriod: number;
  ingressClass: string;
  controllerClass: string;
  watchIngressWithoutClass: boolean;
  annotationsPrefix: string;
  pathMatching: 'nginx' | 'spec';
  logLevel: LogLevel;
  proxyConnectTimeout: number;
  proxyReadTimeout: number;
  proxySendTimeout: number;
  defaultSslCertificate?: { namespace: string; name: string };
  configmap?: { namespace: string; name: string };
  sslProtocols: Array<'TLSv1.2' | 'TLSv1.3'>;
  sslCiphers: string;
  hsts: boolean;
  hstsMaxAge: number;
  hstsIncludeSubdomains: boolean;
  hstsPreload: boolean;
  proxyBodySize: number;
  limitReqStatusCode: number;
  limitConnStatusCode: number;
  rateLimitStore?: string;
  rateLimitStoreTimeout: number;
  trustedProxies: string[];
  metrics: boolean;
  accessLog: string;
  workers: number;
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
  // The two sources are exclusive: a flag of the Kubernetes source next to --manifests means a mistake.
  const kubeFlag = raw.kubeconfig !== undefined ? '--kubeconfig' : raw.watchNamespace !== undefined ? '--watch-namespace' : undefined;
  if (raw.manifests !== undefined && kubeFlag !== undefined) {
    return { kind: 'exit', code: 2, output: `error: --manifests and ${kubeFlag} are mutually exclusive (files or the Kubernetes API, not both)` };
  }
  return { kind: 'config', config: toConfig(raw) };
}

function toConfig(raw: RawOptions): GatewayConfig {
  return {
    manifests: raw.manifests,
    kubeconfig: raw.kubeconfig,
    watchNamespace: raw.watchNamespace,
    publishStatusAddresses: raw.publishStatusAddress ?? [],
    electionId: raw.electionId,
    syncFailureTimeoutMs: raw.syncFailureTimeout,
    httpPort: raw.httpPort,
    httpsPort: raw.httpsPort,
    statusPort: raw.statusPort,
    bindAddress: raw.bindAddress,
    shutdownDelayMs: raw.shutdownDelay,
    shutdownGraceMs: raw.shutdownGracePeriod,
    compile: {
      ingressClass: raw.ingressClass,
      controllerClass: raw.controllerClass,
      watchIngressWithoutClass: raw.watchIngressWithoutClass,
      annotationsPrefix: raw.annotationsPrefix,
      pathMatching: raw.pathMatching,
      settings: settingsOf(raw),
    },
    configMap: raw.configmap,
    logLevel: raw.logLevel,
    tls: {
      defaultSslCertificate: raw.defaultSslCertificate,
      protocols: raw.sslProtocols,
      ciphers: raw.sslCiphers,
    },
    rateLimitStore: raw.rateLimitStore === undefined ? undefined : { url: raw.rateLimitStore, timeoutMs: raw.rateLimitStoreTimeout },
    trustedProxies: raw.trustedProxies,
    metrics: raw.metrics,
    accessLog: raw.accessLog,
    workers: raw.workers,
  };
}

/** The flags that are also ConfigMap keys: the defaults the ConfigMap's values override (router/settings). */
function settingsOf(raw: RawOptions): SettingValues {
  return Object.freeze({
    proxyConnectTimeoutMs: raw.proxyConnectTimeout,
    proxyReadTimeoutMs: raw.proxyReadTimeout,
    proxySendTimeoutMs: raw.proxySendTimeout,
    proxyBodySize: raw.proxyBodySize,
    limitReqStatusCode: raw.limitReqStatusCode,
    limitConnStatusCode: raw.limitConnStatusCode,
    hsts: raw.hsts,
    hstsMaxAge: raw.hstsMaxAge,
    hstsIncludeSubdomains: raw.hstsIncludeSubdomains,
    hstsPreload: raw.hstsPreload,
    disableAccessLog: false, // no flag: --access-log off is the process-level switch
  });
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
