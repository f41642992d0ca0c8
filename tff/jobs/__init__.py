"""Background jobs: the Job record, the Celery wiring and the job pages.

Long work (demo data, imports, evaluating the cohort, assembling a claim batch) runs as a
job. Its Job row is the truth the pages read: the worker keeps it current (state,
progress, heartbeat), so a page survives a reload and a dead worker shows as failed.
"""
