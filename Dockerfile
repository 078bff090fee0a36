# Production image: gunicorn (web), Celery worker and beat all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_ENV=production \
    STATIC_ROOT=/app/staticfiles \
    PRIVATE_MEDIA_ROOT=/data/private

# WeasyPrint needs Pango and fonts with Vietnamese (DejaVu); curl serves the health checks.
# The font cache is built here: the containers' disk is read-only at run time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fontconfig fonts-dejavu-core curl \
    && fc-cache -f \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 portal
WORKDIR /app

COPY pyproject.toml ./
RUN pip install --upgrade pip && pip install .
COPY . .
# Static files and translations are built into the image (no database, Redis or mail server
# is touched). The production profile refuses any key written in the repository, so the build
# uses a random one that is thrown away with this layer's shell.
RUN export DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
       DJANGO_ALLOWED_HOSTS=build DATABASE_URL=postgres://build@build/build \
       REDIS_URL=redis://build:6379/0 EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend \
       PERSONAL_DATA_KEYS="$(python -c 'from cryptography.fernet import Fernet as F; print(F.generate_key().decode())')" \
       PERSONAL_DATA_HASH_KEY="$(python -c 'from cryptography.fernet import Fernet as F; print(F.generate_key().decode())')" \
    && python manage.py compile_translations \
    && python manage.py collectstatic --noinput \
    && mkdir -p /data/private && chown -R portal:portal /data /app

USER portal
EXPOSE 8000
# gunicorn caps the request line and headers; it has no limit on the body, which
# portal.uploads.RequestSizeLimitMiddleware caps (MAX_REQUEST_BYTES) before it is read.
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--access-logformat", "%(h)s %(t)s \"%(m)s %(U)s %(H)s\" %(s)s %(b)s %(L)ss", "--limit-request-line", "4094", "--limit-request-fields", "100", "--limit-request-field_size", "8190"]
