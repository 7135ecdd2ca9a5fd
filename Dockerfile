# One image for the app, the one-shot migration and the scheduled jobs (docker-compose.yml).
FROM python:3.11-slim
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
