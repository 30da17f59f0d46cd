# The image the compose stack runs: dependencies installed inside the image (never into a bind mount).
FROM node:20-bookworm-slim
# git: commits are read from a bare mirror of each repository (GITHUB_COMMITS_FROM=git).
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# tsx runs the TypeScript sources directly; the dev dependencies (test tools) are not needed.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY migrations ./migrations
COPY src ./src
COPY tsconfig.json mikro-orm.config.ts ./
RUN mkdir -p /app/var/exports /app/var/git-mirrors && chown -R node:node /app/var
USER node
# `npm run worker` execs node, so SIGTERM from `docker stop` reaches the worker itself.
CMD ["npm", "run", "worker"]
