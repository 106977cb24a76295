// The Date header value for responses Sluice writes by hand (raw sockets). node:http caches its own string per
// second for ServerResponse; this does the same, so a flood of upgrade errors does not format a date each time.
let cachedSecond = -1;
let cachedDate = '';

export function httpDate(now = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedDate = new Date(second * 1000).toUTCString();
  }
  return cachedDate;
}
