# Gözcü server image: API, Socket.IO gateway, poll workers and the built dashboard.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
COPY shared/package.json shared/
COPY server/package.json server/
COPY dashboard/package.json dashboard/
COPY test/package.json test/
RUN npm ci
COPY shared shared
COPY server server
COPY dashboard dashboard
COPY vendor vendor
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3000 DATA_DIR=/data
WORKDIR /app
COPY --from=build /app /app
EXPOSE 3000
USER node
CMD ["node", "server/dist/main.js"]
