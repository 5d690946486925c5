# The newsdesk image: the setup job, Celery workers and beat all run from it (see docker-compose.yml).
# Works with the classic builder and BuildKit alike.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# A virtualenv at a fixed path can be copied whole into the runtime stage: no pip caches, no build inputs.
RUN python -m venv --upgrade-deps /opt/newsdesk
WORKDIR /src
COPY . .
RUN /opt/newsdesk/bin/pip install .

FROM python:3.11-slim
ENV PATH=/opt/newsdesk/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    NEWSDESK_SOURCES_FILE=/app/sources.yaml
# curl for healthchecks, procps for pgrep (beat's healthcheck). With WITH_CHROMIUM=true (the crawl
# worker's image), Debian's chromium too, which crawls of sources with `render:` drive; ~400 MB more.
ARG WITH_CHROMIUM=false
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl procps \
    && if [ "$WITH_CHROMIUM" = "true" ]; then apt-get install -y --no-install-recommends chromium; fi \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 newsdesk \
    && useradd --system --uid 10001 --gid newsdesk --create-home --shell /usr/sbin/nologin newsdesk
COPY --from=build /opt/newsdesk /opt/newsdesk
WORKDIR /app
# The packages are installed in the virtualenv; the source registry is data and is read from here.
COPY sources.yaml /app/sources.yaml
# Code and data stay root-owned, so the process that runs them cannot rewrite them.
USER newsdesk
CMD ["celery", "-A", "tasks.worker.app", "worker", "--loglevel=INFO"]
