// Status line + header block for responses written straight onto a socket (after node:http handed the
// connection over in its 'upgrade' event, there is no ServerResponse to do it for us).
import { STATUS_CODES } from 'node:http';
import { addConnectionTokens, isHopByHop } from '../headers/hop-by-hop.ts';
import { serverName } from '../headers/response-headers.ts';
import { httpDate } from '../http-date.ts';

/**
 * The pod's 101 head for the client: its Upgrade/Connection and Sec-WebSocket-* headers kept (they ARE the
 * handshake), Date/Server replaced as on every response.
 */
export function switchingProtocolsHead(raw: readonly string[]): Buffer {
  let head = 'HTTP/1.1 101 Switching Protocols\r\n';
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (lower === 'date' || lower === 'server') continue;
    if (lower !== 'upgrade' && lower !== 'connection' && isHopByHop(lower)) continue;
    head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  }
  return Buffer.from(`${head}Server: ${serverName}\r\nDate: ${httpDate()}\r\n\r\n`, 'latin1');
}

/**
 * A non-101 answer to an upgrade request, relayed as is. node:http has already removed the chunked framing
 * from the body we relay, so the framing headers go and the body is delimited by closing the connection
 * (RFC 9112 §6.3 rule 8) unless the pod sent a Content-Length.
 */
export function plainResponseHead(statusCode: number, raw: readonly string[]): Buffer {
  let head = `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? 'Unknown'}\r\n`;
  const listed: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'connection') addConnectionTokens(raw[i + 1]!, listed);
  }
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (lower === 'date' || lower === 'server' || lower === 'connection' || isHopByHop(lower)) continue;
    if (listed.includes(lower)) continue;
    head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  }
  return Buffer.from(`${head}Server: ${serverName}\r\nDate: ${httpDate()}\r\nConnection: close\r\n\r\n`, 'latin1');
}
