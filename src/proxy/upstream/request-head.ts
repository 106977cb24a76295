// The request line and header block sent to a pod, and how its body is framed. Header values are checked here,
// as undici checked them: whatever built them (the client's request, an annotation, a rewrite), no CR or LF
// reaches the pod's socket, where it would start a header or a request of its own.
import { UpstreamError } from './upstream-handler.ts';

/** node:http's check for header values (lib/_http_common.js checkInvalidHeaderChar): TAB, visible ASCII, obs-text. */
const invalidValueChar = /[^\t\x20-\x7e\x80-\xff]/;
/** RFC 9110 §5.1: a field name is a token. */
const invalidNameChar = /[^!#$%&'*+\-.^_`|~0-9A-Za-z]/;
/** A request target the pod may read as more than one (whitespace, control characters) or not as a path at all. */
const invalidPathChar = /[^\x21-\xff]/;

export type BodyFraming = 'none' | 'length' | 'chunked';

export interface RequestHead {
  readonly head: string;
  readonly framing: BodyFraming;
}

/** Methods whose request without a body still gets `content-length: 0` (RFC 9110 §8.6, as undici sent it). */
function expectsContent(method: string): boolean {
  return method === 'POST' || method === 'PUT' || method === 'PATCH';
}

/**
 * `defaultHost`: the pod's address, sent when the headers have no Host (an HTTP/1.0 client's request), as nginx
 * sends $proxy_host. Throws an UpstreamError (SLUICE_INVALID_REQUEST) for a value that cannot be sent.
 */
export function requestHead(method: string, path: string, headers: readonly string[], hasBody: boolean, defaultHost: string): RequestHead {
  if (path.charCodeAt(0) !== 0x2f /* '/' */ || invalidPathChar.test(path)) {
    throw new UpstreamError('SLUICE_INVALID_REQUEST', 'invalid request target');
  }
  let head = `${method} ${path} HTTP/1.1\r\n`;
  let hasHost = false;
  let hasLength = false;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    const value = headers[i + 1]!;
    if (name === '' || invalidNameChar.test(name)) throw new UpstreamError('SLUICE_INVALID_REQUEST', 'invalid header name');
    if (invalidValueChar.test(value)) throw new UpstreamError('SLUICE_INVALID_REQUEST', `invalid value for header ${name}`);
    // Only names of these lengths need a look: "host" (4), "content-length" (14).
    if (name.length === 4 && !hasHost) hasHost = name.toLowerCase() === 'host';
    else if (name.length === 14 && !hasLength) hasLength = name.toLowerCase() === 'content-length';
    head += `${name}: ${value}\r\n`;
  }
  if (!hasHost) head += `host: ${defaultHost}\r\n`;
  let framing: BodyFraming = 'none';
  if (hasBody) {
    framing = hasLength ? 'length' : 'chunked';
    if (framing === 'chunked') head += 'transfer-encoding: chunked\r\n';
  } else if (!hasLength && expectsContent(method)) {
    head += 'content-length: 0\r\n';
  }
  return { head: `${head}connection: keep-alive\r\n\r\n`, framing };
}
