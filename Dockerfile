# The OMS service on Node 24 LTS. Node runs the TypeScript sources on its own type stripping, so
# there is no build step and no transpiler in the process (tsx is a development dependency and is
# not installed here). `oms start` migrates the database, then runs the roles in OMS_ROLE; it
# expects Postgres and Redis at DATABASE_URL and REDIS_URL (it starts neither: that is
# `npm start`'s dev launcher in tools/). `COPY . .` leaves out what .dockerignore lists: tools/,
# test/, bench/, docs/, .data/ and more. It refuses to start without OMS_MASTER_KEY and
# OMS_EMAIL_HASH_KEY (docs/security.md, "Key handling").
FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY . .
USER node
EXPOSE 3000
CMD ["node", "bin/oms.js", "start"]
