"""The module huey_consumer loads: `huey_consumer app.jobs.worker.huey -w 2 -k thread`.

It builds the app from the environment (create_app()), the same settings as the web server,
so both use the same queue and database. Tasks run inside this app's context and drop their
database session afterwards (app/jobs/tasks.py). `flask --app app jobs worker` does the same.
"""
from app import create_app
from app.jobs.priority import lower_worker_priority

app = create_app()
huey = app.extensions["korero_jobs"].huey
# Imported by huey_consumer in its main thread, before it starts the worker threads.
lower_worker_priority(app.config["JOBS_WORKER_NICE"])
