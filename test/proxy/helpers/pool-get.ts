// A GET through one upstream pool, sent as the Exchange sends requests (dispatch()): Sluice's pools are undici's
// Pool module alone, without the request/stream API undici's index adds (upstream-pools.ts).
import type { Pool } from '../../../src/proxy/upstream/upstream-pools.ts';

/** Resolves with the pod's status once its answer is complete; rejects with undici's error. */
export function getThrough(pool: Pool, path = '/'): Promise<number> {
  return new Promise((resolve, reject) => {
    let status = 0;
    pool.dispatch(
      { path, method: 'GET' },
      {
        onRequestStart: () => {},
        onResponseData: () => {},
        onResponseStart: (_controller, code) => {
          status = code;
        },
        onResponseEnd: () => resolve(status),
        onResponseError: (_controller, error) => reject(error),
      },
    );
  });
}
