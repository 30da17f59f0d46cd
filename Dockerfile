# The image the compose stack runs: dependencies installed inside the image (never into a bind mount).

# 1. The compiled JavaScript (dist/), so the worker, the board and the CLI start without compiling TypeScript.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY migrations ./migrations
COPY src ./src
RUN node scripts/build.mjs

# 2. The runtime: production dependencies, the sources (tsx runs them if they are ever newer than the build) and dist/.
FROM node:20-bookworm-slim
# git: commits are read from a bare mirror of each repository (GITHUB_COMMITS_FROM=git).
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json .npmrc ./
COPY scripts ./scripts
# The dev dependencies (test tools, TypeScript) are not needed: the build comes from the first stage.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY migrations ./migrations
COPY src ./src
COPY tsconfig.json mikro-orm.config.ts ./
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/var/exports /app/var/git-mirrors && chown -R node:node /app/var
USER node
# `npm run worker` execs node, so SIGTERM from `docker stop` reaches the worker itself.
CMD ["npm", "run", "worker"]
