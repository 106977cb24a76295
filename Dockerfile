# Sluice's image. Node runs the TypeScript sources directly (type stripping), so there is no build step: the first
# stage only installs production dependencies, and the runtime stage copies them next to src/.

# --- dependencies: production only. The `node` devDependency (the toolchain pin) and the test tools stay out.
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no install script of a dependency runs at build time (none is needed at run time).
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

# --- runtime: the slim base again, without npm's cache or anything the install left behind.
FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
# Node's compile cache (bin/sluice.mjs): the only thing written at run time, into the emptyDir the DaemonSet mounts
# at /tmp (the root filesystem is read-only) and its init container fills (bin/warm-compile-cache.mjs); without it
# the cache is simply off.
ENV NODE_COMPILE_CACHE=/tmp/node-compile-cache
# glibc's malloc may create up to 8 arenas per core (a thread that finds the arenas busy gets a new one), each
# keeping freed memory of its own; 2 serve the primary and the worker threads. Measured, `--workers 1`, one route, wrk 50 connections, 9 fresh processes each, medians: peak RSS
# 151.7 → 143.8 MiB, idle 122.9 → 118.1 MiB, CPU per request 50.5 → 50.3 µs (no cost); `--workers 2`, 3 each: peak
# 194.3 → 188.8 MiB, CPU the same. glibc reads it when the process starts only, so it is set here (and in
# deploy/daemonset.yaml), not by Sluice.
ENV MALLOC_ARENA_MAX=2
# And fixed thresholds instead of glibc's dynamic ones: once a large block (a read manifest, the serialised first
# snapshot a worker receives) was freed, glibc raised its mmap threshold to that size, so later large blocks came
# from the arenas and stayed there, freed but resident. Measured with bench/'s 10k-Ingress table, one worker, 3
# fresh processes each: RSS after a 6 s load 222–227 → 201–204 MiB, idle 195 → 185; one route: peak under load
# 131–132 → 127–130 MiB; CPU per request within the run-to-run noise (3 interleaved pairs).
ENV MALLOC_MMAP_THRESHOLD_=131072
ENV MALLOC_TRIM_THRESHOLD_=131072
# Numeric, so the kubelet can verify runAsNonRoot (deploy/daemonset.yaml uses the same id).
USER 10001:10001
EXPOSE 8080 8443 10254
# --no-memory-reducer on the command line: the only way to reach the main thread's heap (bin/sluice.mjs).
ENTRYPOINT ["node", "--no-memory-reducer", "bin/sluice.mjs"]
