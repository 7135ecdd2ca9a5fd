# One image for the app, the one-shot migration and the scheduled jobs (docker-compose.yml).
# Debian 12 (bookworm), as the machines the tests run on: its postgresql-client-15 matches the
# PostgreSQL 15 of docker-compose.yml (pg_dump for `python -m app.backup`), and WeasyPrint's
# libraries are the ones `make system-deps` installs for the PDF report (PDF_DEPS).
FROM python:3.11-slim-bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-15 \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
ENV UV_COMPILE_BYTECODE=1 UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/srv/.venv \
    PYTHONUNBUFFERED=1 PATH=/srv/.venv/bin:$PATH
WORKDIR /srv
RUN pip install --no-cache-dir uv==0.13.9
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project
COPY . .
RUN pybabel compile -d app/locale -D messages \
    && useradd --system --no-create-home godegrep
USER godegrep
