# Dossier in a container: one process, its SQLite store and originals on the /data volume.
#   docker build -t dossier .
#   docker run -d --name dossier -e TELEGRAM_BOT_TOKEN=... -e DOSSIER_ADMIN_IDS=... -v dossier-data:/data dossier
FROM python:3.11-slim

RUN useradd --create-home --uid 10001 dossier && mkdir /data && chown dossier /data
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY handlers ./handlers
COPY corpus ./corpus
RUN pip install --no-cache-dir . && python -c "import bot.search.translate, bot.i18n"

USER dossier
ENV DOSSIER_DATA_DIR=/data \
    DOSSIER_CORPUS_DIR=/app/corpus \
    PYTHONUNBUFFERED=1
VOLUME /data
# One process per SQLite data folder: the second one on the same volume stops with a clear line.
CMD ["python", "-m", "bot", "run"]
