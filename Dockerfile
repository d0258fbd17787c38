# Production image: migrations at boot, then gunicorn on port 4410 as a non-root user.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error \
    && mkdir -p static/vendor && cp node_modules/htmx.org/dist/htmx.min.js static/vendor/

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VOKE_ENV=production PORT=4410 HOST=0.0.0.0
WORKDIR /app
COPY pyproject.toml requirements.lock README.md ./
COPY voke_esm ./voke_esm
RUN pip install --no-cache-dir -c requirements.lock -e . \
    && (python -OO -m compileall -q -j 0 /usr/local/lib/python3.11 /app/voke_esm > /dev/null \
        || echo "some modules will compile at import") \
    && useradd --system --uid 10001 --home-dir /app voke
COPY wsgi.py gunicorn.conf.py ./
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
COPY scripts/entrypoint ./scripts/entrypoint
COPY --from=assets /build/static/vendor ./static/vendor
RUN mkdir -p /app/instance && chown voke /app/instance
USER voke
EXPOSE 4410
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz')"
ENTRYPOINT ["/app/scripts/entrypoint"]
