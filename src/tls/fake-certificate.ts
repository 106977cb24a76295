// The default certificate when no --default-ssl-certificate is given (or it is unusable): generated once at start,
// in a thread of its own that ends when done (fake-certificate-thread.ts). selfsigned's module graph
// (@peculiar/x509, its ASN.1 schemas, tsyringe: ≈250 modules) is needed only for that, and a module once loaded
// stays loaded: generated in the primary, it stayed there for the life of the process. Measured, `--workers 1`,
// fresh processes, idle RSS: 126.7 → 123.2 MiB (medians of 6). Clients seeing this certificate know no Secret
// matched.
import { Worker } from 'node:worker_threads';
import type { IndexedCertificate } from './certificate-index.ts';

export const fakeCertificateCommonName = 'Kubernetes Ingress Controller Fake Certificate';

const thread = new URL('./fake-certificate-thread.ts', import.meta.url);

/** Valid from `now` for 365 days. Rejects if the generating thread fails. */
export function generateFakeCertificate(now = new Date()): Promise<IndexedCertificate> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(thread, { workerData: now.getTime(), name: 'sluice-fake-certificate' });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`fake certificate thread exited with ${code} before answering`)));
  });
}
