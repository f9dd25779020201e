# The DCR mock bank as a container. Build: docker build -t dcr-mockbank .
# Run:   docker run --rm -p 8443:8443 -v "$PWD/certs:/app/certs" dcr-mockbank
# (the mounted certs/ receives the generated CA and TPP certificates; see the README, "Docker").

# Build stage: dev dependencies, then the compiled package in dist/.
FROM node:20-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime stage: production dependencies and dist/ only, as the unprivileged node user.
FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8443 \
    CERTS_DIR=/app/certs
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
RUN mkdir -p /app/certs && chown node:node /app/certs
USER node
EXPOSE 8443
# GET /health answers 200 without a client certificate, whatever the profile's paths; node is the only tool the image needs.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "require('node:https').get({host:'127.0.0.1',port:process.env.PORT||8443,path:'/health',rejectUnauthorized:false},(r)=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]
CMD ["node", "dist/bin/dcr-mockbank.js"]
