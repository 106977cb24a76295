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
COPY src ./src
# Numeric, so the kubelet can verify runAsNonRoot (deploy/daemonset.yaml uses the same id). Nothing is written
# at run time, so the read-only root filesystem needs no writable directory.
USER 10001:10001
EXPOSE 8080 8443 10254
ENTRYPOINT ["node", "src/cli.ts"]
