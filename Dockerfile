# The OMS service on Node 24 LTS. Node runs the TypeScript sources on its own type stripping, so
# the service has no build step and no transpiler in the process (tsx is a development dependency and is
# not installed here). `oms start` migrates the database, then runs the roles in OMS_ROLE; it
# expects Postgres and Redis at DATABASE_URL and REDIS_URL (it starts neither: that is
# `npm start`'s dev launcher in tools/). `COPY . .` leaves out what .dockerignore lists: tools/,
# test/, bench/, docs/, .data/ and more. It refuses to start without OMS_MASTER_KEY and
# OMS_EMAIL_HASH_KEY (docs/security.md, "Key handling").
# The API reference page (/docs, public/docs) is built from a development dependency (Stoplight
# Elements' prebuilt bundle): built in this stage, and only its output goes into the image.
FROM node:24-slim AS docs-page
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tools/build-docs-page.ts tools/
COPY src/docs src/docs
RUN node tools/build-docs-page.ts

# The operator console (console/, React + Vite) is built in a stage of its own, with the development
# dependencies; the image gets only the built files, which the service serves under /console.
FROM node:24-slim AS console
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY console ./console
COPY domain ./domain
RUN node_modules/.bin/vite build --config console/vite.config.ts

FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY . .
COPY --from=docs-page /app/public ./public
COPY --from=console /build/console/dist ./console/dist
USER node
EXPOSE 3000
CMD ["node", "bin/oms.js", "start"]
