"""Every module that registers jobs, imported by the app and so by the worker."""

from tff.claims import tasks as claim_tasks  # noqa: F401
from tff.demo import tasks as demo_tasks  # noqa: F401
from tff.identification import tasks as identification_tasks  # noqa: F401
from tff.imports import tasks as import_tasks  # noqa: F401
from tff.outcomes import tasks as outcome_tasks  # noqa: F401
from tff.privacy import tasks as privacy_tasks  # noqa: F401
