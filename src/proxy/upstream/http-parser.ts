// Node's own HTTP/1.1 parser: llhttp compiled into the node binary, the one node:http's server and client parse
// with. node:http exports it from `_http_common` (undocumented, but what its own client and server use, and
// stable across Node 20–24: initialize(type, resource, maxHeaderSize, lenientFlags), the kOn* callback slots).
// The Node version is the project's own (package.json's `node` devDependency, engines >=24 <25), and every test
// that proxies a request fails at once if this binding changes shape.
//
// Why not undici's parser: undici runs llhttp as WebAssembly and wraps each request in several JavaScript
// objects (Request, its handler wrappers, the queue of its Client). A node:http server relaying to one pod,
// CPU per request on this machine (wrk, 50 connections, 3 interleaved rounds): undici Pool.dispatch() 48–52 µs
// (user 28–34); this parser with one socket per exchange 35–38 µs (user 17–21), 1.4× the requests per second.
import { createRequire } from 'node:module';

/** The parser as node:http's `_http_common` exports it (lib/_http_common.js, src/node_http_parser.cc). */
export interface NodeHttpParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenientFlags: number): void;
  /** Bytes parsed, or the parse error (code 'HPE_…', with bytesParsed). */
  execute(data: Buffer): number | (Error & { code?: string });
  /** End of input: completes a body delimited by the connection's end, or returns the error of a truncated one. */
  finish(): undefined | (Error & { code?: string });
  close(): void;
  [slot: number]: unknown;
}

interface HttpParserClass {
  new (): NodeHttpParser;
  readonly REQUEST: number;
  readonly RESPONSE: number;
  readonly kOnMessageBegin: number;
  readonly kOnHeaders: number;
  readonly kOnHeadersComplete: number;
  readonly kOnBody: number;
  readonly kOnMessageComplete: number;
  readonly kLenientNone: number;
}

const require = createRequire(import.meta.url);
const httpCommon = require('_http_common') as { HTTPParser: HttpParserClass; methods: readonly string[] };
export const HTTPParser = httpCommon.HTTPParser;
/** llhttp's method numbers → names, as the request parser reports them (the list node:http's server reads). */
export const methods = httpCommon.methods;

/** The return values of the headers-complete callback that llhttp acts on (node_http_parser.cc on_headers_complete). */
export const parseBody = 0;
export const skipBody = 1;
