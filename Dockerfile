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
# at /tmp (the root filesystem is read-only); without it the cache is simply off.
ENV NODE_COMPILE_CACHE=/tmp/node-compile-cache
# Numeric, so the kubelet can verify runAsNonRoot (deploy/daemonset.yaml uses the same id).
USER 10001:10001
EXPOSE 8080 8443 10254
ENTRYPOINT ["node", "bin/sluice.mjs"]
