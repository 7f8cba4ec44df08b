# pengawas: one image for every role (scheduler, worker, recorder, run, demo). Node 26, the Active LTS line since
# 2026-10-28 (Node 20 reached end of life on 2026-04-30), pinned by version tag; .ci/run tests the CLI on it.
ARG NODE_IMAGE=node:26.12.1-bookworm-slim
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
# python3, make, g++: better-sqlite3 (the embedded evidence store) compiles when no prebuilt binary fits.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
# `prepare` builds dist/ and needs the sources: install without scripts, then build explicitly. The one native
# module whose install script is allowed (package.json allowScripts) is built on its own.
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY src ./src
COPY bin ./bin
RUN npm run build && npm prune --omit=dev

FROM ${NODE_IMAGE}
# git: freshness checks can read a document's last commit date; openssl: signing of evidence manifests.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git openssl ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production PENGAWAS_DATA_DIR=/app/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY package.json ./
COPY checks ./checks
RUN mkdir -p /app/data /app/packs /app/documents && chown -R node:node /app/data /app/packs
USER node
EXPOSE 9464
# /readyz: Redis reachable and configuration loaded (node's fetch: the slim image has no curl or wget).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/pengawas.js"]
CMD ["run"]
