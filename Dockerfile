# One image for the API, the worker and migrations; compose picks the command.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY models ./models
COPY workflows ./workflows
COPY activities ./activities
COPY integrations ./integrations
COPY api ./api
COPY migrations ./migrations
COPY devtools ./devtools
COPY alembic.ini config.py logging_setup.py temporal_client.py worker.py ./
RUN pip install . && useradd --create-home onewindow && mkdir -p /data && chown onewindow /data
USER onewindow
ENV ENVIRONMENT=production BLOB_DIR=/data/blobs SMS_OUTBOX_FILE=/data/sms/outbox.jsonl EMS_LOCAL_DIR=/data/ems
EXPOSE 8000
CMD ["uvicorn", "api.app:main", "--factory", "--host", "0.0.0.0", "--port", "8000"]
