// A GET through one upstream pool, sent as the Exchange sends requests (dispatch() with a handler).
import type { Pool } from '../../../src/proxy/upstream/upstream-pools.ts';

/** Resolves with the pod's status once its answer is complete; rejects with the pool's error. */
export function getThrough(pool: Pool, path = '/'): Promise<number> {
  return new Promise((resolve, reject) => {
    let status = 0;
    pool.dispatch(
      { method: 'GET', path, headers: [], body: null },
      {
        onRequestStart: () => {},
        onBodySent: () => {},
        onRequestSent: () => {},
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
