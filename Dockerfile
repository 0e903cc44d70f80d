# Dossier in a container: one process, its store and originals on the /data volume, /healthz and
# /metrics on port 9464 (README: Deployment).
#   docker build -t dossier .
#   docker run -d --name dossier -e TELEGRAM_BOT_TOKEN=... -e DOSSIER_ADMIN_IDS=... -v dossier-data:/data dossier
# With PostgreSQL beside it: compose.yaml (docker compose up -d).
FROM python:3.11-slim

RUN useradd --create-home --uid 10001 dossier && mkdir /data && chown dossier /data
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY handlers ./handlers
COPY corpus ./corpus
# The package and its dependencies, then its slow first imports done once here (the lexicon compiles).
RUN pip install --no-cache-dir . && python -c "import bot.search.translate, bot.i18n"

USER dossier
# The metrics listener is on in the image: the HEALTHCHECK below asks its /healthz. It listens on every
# interface of the container so Prometheus can scrape it; publish the port only where it should reach.
ENV DOSSIER_DATA_DIR=/data \
    DOSSIER_CORPUS_DIR=/app/corpus \
    DOSSIER_METRICS_PORT=9464 \
    DOSSIER_METRICS_LISTEN=0.0.0.0 \
    PYTHONUNBUFFERED=1
VOLUME /data
# 9464: /healthz and /metrics. 8443: the webhook, when DOSSIER_WEBHOOK_URL is set (polling needs none).
EXPOSE 9464 8443
# 503 while the index loads (a first start on a large corpus takes minutes: --start-period) or when the
# store fails; the check is a few lines of standard library (the slim image has no curl).
HEALTHCHECK --interval=30s --timeout=5s --start-period=5m --retries=3 CMD ["python", "-m", "bot.healthcheck"]
# One process per data folder: a second one on the same volume stops with a clear line.
CMD ["python", "-m", "bot", "run"]
