# One image for the api, the worker and the migration job; the command picks the process:
#   docker run … stepguard                                         api (workers too unless STEPGUARD_WORKERS_IN_PROCESS=false)
#   docker run … stepguard node dist/workers/main.js               worker
#   docker run … stepguard node dist/src/cli/main.js migrate       migrations (or any CLI command)
# docker-compose.yml runs each of them. No HEALTHCHECK here: the worker (at most its metrics on
# WORKER_METRICS_PORT) and the migration job serve no probes and would report unhealthy; the api's check
# (GET /readyz) lives in docker-compose.yml.

# Build: every dependency, then `nest build` into dist/ (the handlebars templates copied with it).
FROM node:24-bookworm-slim AS build
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

# Runtime: production dependencies and the built app only, owned by root so the app cannot change its
# own code; it writes only to its data directory.
FROM node:24-bookworm-slim
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
RUN install -d -o node -g node -m 700 /app/.stepguard
# The image's `node` user, by number so Kubernetes can check runAsNonRoot.
USER 1000:1000
# 3000: the api; 9464: a worker's metrics, when WORKER_METRICS_PORT=9464 (docker-compose.yml sets it).
EXPOSE 3000 9464
CMD ["node", "dist/src/main.js"]
