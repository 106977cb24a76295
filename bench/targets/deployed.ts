// How the image (Dockerfile) and the DaemonSet start Sluice, so the bench measures the deployed process.
// `test/deploy` checks the Dockerfile and the DaemonSet against these.

/** glibc malloc settings, read only when a process starts (the Dockerfile's comments have the numbers). */
export const deployedEnv = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' } as const;

/** The node flags of the image's ENTRYPOINT (bin/sluice.mjs says why). */
export const deployedNodeFlags = ['--no-memory-reducer'] as const;
