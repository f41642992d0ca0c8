"""The Celery entry point: `celery -A worker worker`."""

from tff import create_app

# Not named `app`: Celery's -A looks for an attribute of that name first.
flask_app = create_app()
celery = flask_app.extensions["celery"]
