# One image definition for the four apps: `docker build --target api|ingest|worker|edge .`
# Node.js 24 LTS (20 reached end of life in April 2026; the suite runs on both, docs/node-versions.md).
# Debian bookworm: its ffmpeg 5.1 has libx264, AAC and libsrt (the SRT listener binds libsrt).
FROM node:24.22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/api/package.json apps/api/
COPY apps/ingest/package.json apps/ingest/
COPY apps/worker/package.json apps/worker/
COPY apps/edge/package.json apps/edge/
COPY apps/console/package.json apps/console/
COPY packages/common/package.json packages/common/
COPY packages/config/package.json packages/config/
COPY packages/core/package.json packages/core/
COPY packages/db/package.json packages/db/
COPY packages/ffmpeg/package.json packages/ffmpeg/
COPY packages/jobs/package.json packages/jobs/
COPY packages/metrics/package.json packages/metrics/
COPY packages/rtmp/package.json packages/rtmp/
COPY packages/sdk/package.json packages/sdk/
COPY packages/storage/package.json packages/storage/
COPY packages/testing/package.json packages/testing/
COPY packages/webrtc/package.json packages/webrtc/
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
# The Prisma client is generated into packages/db/src/generated; the console is a static build.
RUN npm run db:generate && npm run console:build

# The API needs no ffmpeg.
FROM node:24.22-bookworm-slim AS api
ENV NODE_ENV=production API_HOST=0.0.0.0
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "apps/api/src/server.ts"]

FROM node:24.22-bookworm-slim AS media
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node

FROM media AS ingest
ENV INGEST_BIND=0.0.0.0
# RTMP, RTMPS, SRT; WHIP signalling (HTTP) and its WebRTC media (UDP range, WEBRTC_UDP_PORT_MIN/MAX).
EXPOSE 1935 1936 8890/udp 8889
CMD ["node", "--import", "tsx", "apps/ingest/src/main.ts"]

FROM media AS worker
CMD ["node", "--import", "tsx", "apps/worker/src/main.ts"]

# The WebRTC edge (WHEP): HTTP signalling, then media over the UDP range it is given.
FROM media AS edge
ENV EDGE_HOST=0.0.0.0
EXPOSE 3010
CMD ["node", "--import", "tsx", "apps/edge/src/main.ts"]
