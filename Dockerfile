# pengawas: one image for every role (scheduler, worker, recorder, run, demo). Node 20 on Debian bookworm.
FROM node:20-bookworm-slim AS build
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

FROM node:20-bookworm-slim
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
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
EXPOSE 9464
ENTRYPOINT ["node", "/app/bin/pengawas.js"]
CMD ["run"]
