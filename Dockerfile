# Varna pot: the web server and the timer worker, production-like.
# Build: docker build -t varnapot .    Run: docker compose up (see compose.yaml and README).

# The browser assets, built as `make assets` builds them: npm ci and esbuild, no Python.
FROM node:20-bookworm-slim AS assets
RUN apt-get update \
    && apt-get install -y --no-install-recommends make=4.3-4.1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile ./
COPY web/package.json web/package-lock.json web/
COPY web/assets web/assets
RUN make assets

# The application: installed as `pip install .`, its catalogues compiled, run as a user.
FROM python:3.11-slim-bookworm
# Only the paths of the mounted secrets are set here, never a key.
# hadolint ignore=DL3064
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VARNAPOT_ENV=production \
    VARNAPOT_MASTER_KEY_FILE=/run/secrets/master_key \
    VARNAPOT_SECRET_KEY_FILE=/run/secrets/secret_key \
    VARNAPOT_ERASURE_JOURNAL=/var/lib/varnapot/erased-cases \
    VARNAPOT_TRAINING_DIR=/var/lib/varnapot/training
RUN groupadd --system --gid 10001 varnapot \
    && useradd --system --uid 10001 --gid varnapot --home-dir /app \
         --shell /usr/sbin/nologin varnapot \
    && mkdir -p /var/lib/varnapot \
    && chown 10001:10001 /var/lib/varnapot
WORKDIR /app
COPY pyproject.toml README.md ./
COPY engine engine
COPY forms forms
COPY handlers handlers
COPY cli cli
COPY web web
COPY processes processes
COPY --from=assets /src/web/static/vendor web/static/vendor
RUN pip install --no-cache-dir . \
    && for po in web/translations/*/LC_MESSAGES/*.po; do \
         pybabel compile -i "$po" -o "${po%.po}.mo"; \
       done
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"]
CMD ["varnapot", "serve", "--host", "0.0.0.0", "--port", "8000", "--timer-workers", "0"]
