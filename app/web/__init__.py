"""What every feature package's views, forms and emails share, with one behaviour each:

- pagination: Page and paginate(select, page, per_page); templates/_macros/pagination.html
- dates: UTC storage, display in the site's time zone, one human format, ISO 8601 in exports
- fields: MultiCheckboxField, LocalDateTimeField
- refusals: show_refusal(form, error), the one way a view shows an OperationRefused, and
  attempt(form), the one way a view runs an operation: commit once, or show the refusal
- requests: client_ip() and requested_page()
- emails: render_email(name, **context) from templates/emails/

See docs/architecture.md, "Shared pieces for packages".
"""
