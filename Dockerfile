# pengawas: one image for every role (scheduler, worker, recorder, run, demo). Node 20 on Debian bookworm.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
# `prepare` builds dist/ and needs the sources: install without scripts, then build explicitly.
RUN npm ci --ignore-scripts
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
