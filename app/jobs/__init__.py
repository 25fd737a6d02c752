"""Background jobs: long work runs in a worker, reports progress, survives a worker restart.

The API other packages use (documented in README "Background jobs"):

    from app.jobs import job, start_job

    @job("reports.build", label=_l("Build a report"))
    def build_report(ctx, report_id):          # params arrive as keyword arguments
        ...ctx.progress(done, total, message)  # commits; the job page shows it
        ...ctx.checkpoint({"next": i})         # commits work + resume state (ctx.state)
        return {"rows": n}                     # a small summary for the job page

    job = start_job(actor, "reports.build", title="...", report_id=7)
    Session.commit()                           # the job is queued after this commit
"""
from app.jobs.operations import cancel_job, create_job, start_job
from app.jobs.registry import job, register_job
from app.jobs.runner import JobCancelled, JobContext, JobFailed, run_job_inline
from app.jobs.tasks import enqueue

__all__ = ["JobCancelled", "JobContext", "JobFailed", "cancel_job", "create_job", "enqueue",
           "job", "register_job", "run_job_inline", "start_job"]
