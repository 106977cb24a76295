// Redirect answers: the Location a RedirectTarget means for one request, and writing it. Every Location Sluice
// writes is absolute (nginx's absolute_redirect, on by default): a value that would start with '/' gets the
// scheme and host, so neither an annotation nor a request can produce a scheme-relative `//evil.com` Location.
// The host comes from the Host header only after it passed a strict allow-list, and any byte outside visible
// ASCII is %-encoded, so no redirect can carry a CR/LF or a space into the response head.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RedirectTarget } from '../model/index.ts';
import { percentEncoded } from '../router/escape-uri.ts';
import { serverName } from './headers/response-headers.ts';

/** A Host header value usable in a Location: a DNS name or bracketed IPv6, optional port. */
const safeHost = /^(?:[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** The Location for a request, or null when the request's Host cannot be put into one (→ 400). */
export function redirectLocation(target: RedirectTarget, req: IncomingMessage, host: string, scheme: string): string | null {
  switch (target.kind) {
    case 'url':
      return absolute(target.location, host, scheme);
    case 'www':
      return visible(`${scheme}://${target.host}${withoutTrailingSlash(req.url ?? '/')}`);
    case 'app-root':
      // nginx.tmpl: $scheme://$http_host<app-root> — the Host header as sent, port included.
      return safeHost.test(host) ? visible(`${scheme}://${host}${target.path}`) : null;
  }
  const name = hostName(host);
  if (name === null) return null;
  if (target.kind === 'slash') {
    // ngx_http_core_find_config_phase: the location's escaped name, plus the arguments when there are any.
    const query = queryOf(req.url ?? '');
    return visible(`${scheme}://${name}${target.path}${query === '' ? '' : `?${query}`}`);
  }
  // lua_ingress.lua redirect_to_https: https://<host without port><request_uri>, trailing '/' dropped unless kept.
  const uri = req.url ?? '/';
  return visible(`https://${name}${target.preserveTrailingSlash ? uri : withoutTrailingSlash(uri)}`);
}

/** A Location built from a rewrite-target that is a URL, or from any value: made absolute and visible. */
export function absolute(location: string, host: string, scheme: string): string | null {
  if (location.charCodeAt(0) !== 0x2f) return visible(location);
  const name = hostName(host);
  return name === null ? null : visible(`${scheme}://${name}${location}`);
}

/** The Host header without its port, lower-cased, as nginx's $host; null when it is not a plain host name. */
function hostName(host: string): string | null {
  if (!safeHost.test(host)) return null;
  const end = host.startsWith('[') ? host.indexOf(']') + 1 : host.indexOf(':');
  return (end <= 0 ? host : host.slice(0, end)).toLowerCase();
}

function withoutTrailingSlash(uri: string): string {
  return uri.endsWith('/') ? uri.slice(0, -1) : uri;
}

function queryOf(target: string): string {
  const at = target.indexOf('?');
  return at === -1 ? '' : target.slice(at + 1);
}

/** %-encodes anything outside visible ASCII (as UTF-8 bytes; latin1 request bytes stay single bytes). */
function visible(location: string): string {
  if (!/[^\x21-\x7e]/.test(location)) return location;
  return location.replace(/[^\x21-\x7e]/gu, (c) => {
    const code = c.codePointAt(0)!;
    return percentEncoded(code <= 0xff ? [code] : Buffer.from(c, 'utf8'));
  });
}

const reasons: Readonly<Record<number, string>> = {
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
  305: 'Use Proxy', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
};

/** Answers like nginx's `return <code> <url>`: the Location plus a small HTML body naming the status. */
export function sendRedirect(res: ServerResponse, status: number, location: string): void {
  const title = `${status} ${reasons[status] ?? 'Redirect'}`;
  const body = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
  res.writeHead(status, [
    'Location', location,
    'Content-Type', 'text/html',
    'Content-Length', String(Buffer.byteLength(body)),
    'Server', serverName,
  ]);
  res.end(body);
}
