# One image for every process: gunicorn (web), Celery worker and Celery beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=helpdesk.settings.production \
    MEDIA_ROOT=/app/media \
    PORT=8000 \
    WEB_CONCURRENCY=3

WORKDIR /app
RUN useradd --system --create-home --uid 10001 helpdesk

# Dependencies first, so code changes do not reinstall them; the lock pins every version.
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .
# collectstatic imports the settings but never connects: placeholders are enough at build time.
RUN SECRET_KEY=build-only DATABASE_URL=postgres://build@localhost/build \
    REDIS_URL=redis://localhost:6379/0 python manage.py collectstatic --noinput -v 0 \
 && mkdir -p /app/media && chown helpdesk /app/media

USER helpdesk
EXPOSE 8000
# gunicorn binds 0.0.0.0:$PORT and starts $WEB_CONCURRENCY workers when these are set.
CMD ["gunicorn", "helpdesk.wsgi", "--timeout", "60", "--graceful-timeout", "15", \
     "--access-logfile", "-", "--error-logfile", "-"]
