# One image for the api, the worker, the migration job and the operator CLI; the command picks the process:
#   docker run … stepguard                                         api (workers too unless STEPGUARD_WORKERS_IN_PROCESS=false)
#   docker run … stepguard node dist/workers/main.js               worker
#   docker run … stepguard node dist/src/cli/main.js migrate       migrations (or any CLI command)
# docker-compose.yml and the Helm chart (charts/stepguard) run each of them. No HEALTHCHECK here: the worker (at
# most its metrics on WORKER_METRICS_PORT) and the migration job serve no probes and would report unhealthy; the
# api's check (GET /readyz) lives in docker-compose.yml and the chart's probes.
#
# Runs as uid/gid 1000 on a read-only root filesystem (the chart's default): the app writes only to /tmp and, when
# a setting is missing outside production, to its data directory /app/.stepguard. With every setting given (as
# NODE_ENV=production requires) it writes nothing there.

# Build: every dependency, then `nest build` into dist/ (the handlebars templates copied with it).
FROM node:24-bookworm-slim AS build
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

# Runtime: production dependencies and the built app only, owned by root so the app cannot change its own code.
FROM node:24-bookworm-slim
# Set at build time, e.g. --build-arg VERSION=$(node -p "require('./package.json').version") --build-arg REVISION=$(git rev-parse HEAD)
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="stepguard" \
      org.opencontainers.image.description="Self-hosted multi-tenant MFA enforcement and session control: api, worker, migrations and operator CLI" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="docker.io/library/node:24-bookworm-slim"
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# The processes start with `node` itself: npm, npx, corepack and yarn leave the image once they installed it.
RUN npm ci --omit=dev && npm cache clean --force \
    && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /opt/yarn-* \
       /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg \
       /root/.npm /tmp/*
# The app's trees only (dist/tools holds the chart's dev tooling, which needs devDependencies), and the
# package.json the build placed beside them (src/audit/formats/product.ts reads the version from it).
COPY --from=build /app/dist/package.json ./dist/package.json
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/workers ./dist/workers
COPY --from=build /app/dist/config ./dist/config
# The data directory exists in the image, so the start-up's mkdir of it succeeds on a read-only root filesystem.
RUN install -d -o node -g node -m 700 /app/.stepguard
# The image's `node` user, by number so Kubernetes can check runAsNonRoot (the chart runs as 1000:1000 too).
USER 1000:1000
# 3000: the api; 9464: a worker's metrics, when WORKER_METRICS_PORT=9464 (docker-compose.yml and the chart set it).
EXPOSE 3000 9464
CMD ["node", "dist/src/main.js"]
