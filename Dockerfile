# One bot worker: `python -m bot run` (web chat, webhooks, sender) on port 8080.
# Build: docker build -t imaginecole .   Run the whole layout: docker compose up (compose.yaml).
# No secret is baked in: every token comes from the environment (.env) at run time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 --user-group app
WORKDIR /app

# Every dependency ships a manylinux wheel (asyncpg, uharfbuzz, matplotlib...): no compiler.
COPY pyproject.toml README.md constraints.txt ./
COPY bot ./bot
COPY dialogs ./dialogs
COPY content ./content
COPY locales ./locales
# Editable: the catalogs (locales/) are read beside the package, from /app.
RUN pip install -c constraints.txt -e . \
    && mkdir -p /app/var \
    && chown app:app /app/var

# The data folder: the generated certificate signing key and teachers' course files
# (compose.yaml mounts a volume shared by every worker here).
USER app
ENV WEB_HOST=0.0.0.0 \
    WEB_PORT=8080 \
    LOG_FORMAT=json
EXPOSE 8080

HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import os, urllib.request as u; u.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('WEB_PORT', '8080'), timeout=4)" || exit 1

CMD ["python", "-m", "bot", "run"]
