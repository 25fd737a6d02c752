"""The codebook pages: themes (two levels), edit, merge, split, delete, order, versions, and
import and export as CSV and REFI-QDA .qdc."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.analysis import exchange
from app.analysis import operations as ops
from app.analysis.forms import (
    ConfirmForm,
    ImportForm,
    MergeForm,
    MoveForm,
    SplitForm,
    ThemeForm,
    theme_choices,
)
from app.analysis.models import CodebookVersion, Coding
from app.analysis.queries import active_themes, current_codebook
from app.analysis.views import bp, codebook_for, consultation_or_404, theme_or_404
from app.corpus.models import FeedbackItem
from app.corpus.visibility import visible_items
from app.db import Session
from app.errors import OperationRefused
from app.spreadsheets import iter_csv
from app.web.refusals import attempt


def _theme_form(themes, theme=None, formdata=None) -> ThemeForm:
    form = ThemeForm(formdata=formdata, obj=theme)
    tops = [t for t in themes if t.parent_id is None and (theme is None or t.id != theme.id)]
    form.parent.choices = theme_choices(tops, blank=_("Top level"))
    if theme is not None and request.method == "GET":
        form.parent.data = str(theme.parent_id or "")
    return form


def _parent_from(form, codebook):
    return theme_or_404(codebook, int(form.parent.data)) if form.parent.data else None


def _render_codebook(consultation, codebook, form=None, import_form=None, status=200):
    themes = active_themes(codebook.id) if codebook else []
    versions = Session.scalars(select(CodebookVersion).where(
        CodebookVersion.codebook_id == (codebook.id if codebook else None))
        .order_by(CodebookVersion.number.desc()).limit(20)).all()
    return render_template(
        "analysis/codebook.html", consultation=consultation, codebook=codebook, themes=themes,
        versions=versions, form=form or _theme_form(themes), move_form=MoveForm(),
        import_form=import_form or ImportForm()), status


@bp.get("/codebook")
def codebook():
    consultation = consultation_or_404()
    return _render_codebook(consultation, current_codebook(consultation.id))


@bp.post("/codebook/themes")
def new_theme():
    consultation = consultation_or_404()
    book = codebook_for(consultation)
    form = _theme_form(active_themes(book.id), formdata=request.form)
    if not form.validate_on_submit():
        return _render_codebook(consultation, book, form=form, status=400)
    with attempt(form) as done:
        theme = ops.create_theme(current_user, book, name=form.name.data,
                                 description=form.description.data, colour=form.colour.data,
                                 parent=_parent_from(form, book))
    if not done:
        return _render_codebook(consultation, book, form=form, status=400)
    flash(_("Theme “%(name)s” added (codebook version %(v)s).", name=theme.name,
            v=book.version), "success")
    return redirect(url_for("analysis.codebook"))


def _theme_codings(consultation, theme):
    """The theme's codings on countable items, with the text an analyst may see."""
    codings = Session.scalars(select(Coding).join(FeedbackItem, FeedbackItem.id == Coding.item_id)
                              .where(Coding.theme_id == theme.id, Coding.status != "rejected",
                                     FeedbackItem.consent_analysis.is_(True))
                              .order_by(Coding.id).limit(500)).all()
    views = {view.item_id: view for view in visible_items(
        current_user, consultation.id, audience="secretariat",
        item_ids=[coding.item_id for coding in codings])}
    return [(coding, views.get(coding.item_id)) for coding in codings]


def _render_theme(consultation, book, theme, *, form=None, merge_form=None, split_form=None,
                  status=200):
    themes = active_themes(book.id)
    form = form or _theme_form(themes, theme)
    merge_form = merge_form or MergeForm()
    merge_form.target.choices = theme_choices([t for t in themes if t.id != theme.id])
    codings = _theme_codings(consultation, theme)
    split_form = split_form or SplitForm()
    split_form.coding_ids.choices = [(coding.id, (view.text if view and view.text else
                                                  _("Item %(id)s", id=coding.item_id))[:200])
                                     for coding, view in codings]
    return render_template(
        "analysis/theme.html", consultation=consultation, codebook=book, theme=theme,
        form=form, merge_form=merge_form, split_form=split_form, confirm_form=ConfirmForm(),
        move_form=MoveForm(), codings=codings,
        children=ops.children_of(theme)), status


@bp.route("/codebook/themes/<int:theme_id>", methods=["GET", "POST"])
def theme(theme_id: int):
    consultation = consultation_or_404()
    book = current_codebook(consultation.id)
    theme = theme_or_404(book, theme_id)
    form = _theme_form(active_themes(book.id), theme, formdata=request.form or None)
    if request.method == "GET" or not form.validate_on_submit():
        return _render_theme(consultation, book, theme, form=form,
                             status=200 if request.method == "GET" else 400)
    with attempt(form) as done:
        ops.edit_theme(current_user, theme, name=form.name.data,
                       description=form.description.data, colour=form.colour.data,
                       parent=_parent_from(form, book))
    if not done:
        return _render_theme(consultation, book, theme, form=form, status=400)
    flash(_("Theme saved."), "success")
    return redirect(url_for("analysis.theme", theme_id=theme.id))


@bp.post("/codebook/themes/<int:theme_id>/merge")
def merge_theme(theme_id: int):
    consultation = consultation_or_404()
    book = codebook_for(consultation)
    source = theme_or_404(book, theme_id)
    form = MergeForm()
    form.target.choices = theme_choices(active_themes(book.id))
    if not form.validate_on_submit():
        return _render_theme(consultation, book, source, merge_form=form, status=400)
    with attempt(form) as done:
        target = ops.merge_themes(current_user, source, theme_or_404(book, int(form.target.data)))
    if not done:
        return _render_theme(consultation, book, source, merge_form=form, status=400)
    flash(_("Merged: the codings are now under “%(name)s”.", name=target.name), "success")
    return redirect(url_for("analysis.theme", theme_id=target.id))


@bp.post("/codebook/themes/<int:theme_id>/split")
def split_theme(theme_id: int):
    consultation = consultation_or_404()
    book = codebook_for(consultation)
    theme = theme_or_404(book, theme_id)
    form = SplitForm()
    form.coding_ids.choices = [(coding.id, "") for coding, _view in
                               _theme_codings(consultation, theme)]
    if not form.validate_on_submit():
        return _render_theme(consultation, book, theme, split_form=form, status=400)
    with attempt(form) as done:
        new = ops.split_theme(current_user, theme, name=form.name.data,
                              coding_ids=form.coding_ids.data)
    if not done:
        return _render_theme(consultation, book, theme, split_form=form, status=400)
    flash(_("“%(name)s” split off.", name=new.name), "success")
    return redirect(url_for("analysis.theme", theme_id=new.id))


@bp.post("/codebook/themes/<int:theme_id>/delete")
def delete_theme(theme_id: int):
    book = codebook_for(consultation_or_404())
    theme = theme_or_404(book, theme_id)
    if ConfirmForm().validate_on_submit():
        ops.delete_theme(current_user, theme)
        Session.commit()
        flash(_("Theme “%(name)s” deleted.", name=theme.name), "success")
    return redirect(url_for("analysis.codebook"))


@bp.post("/codebook/themes/<int:theme_id>/move")
def move_theme(theme_id: int):
    book = codebook_for(consultation_or_404())
    theme = theme_or_404(book, theme_id)
    form = MoveForm()
    if form.validate_on_submit():
        ops.move_theme(current_user, theme, -1 if form.direction.data == "up" else 1)
        Session.commit()
    return redirect(url_for("analysis.codebook") + f"#theme-{theme.id}")


@bp.get("/codebook/export.csv")
def export_codebook_csv():
    consultation = consultation_or_404()
    book = current_codebook(consultation.id)
    rows = list(exchange.codebook_csv_rows(book)) if book else []
    name = f"codebook-{consultation.slug}-v{book.version if book else 0}.csv"
    return Response(iter_csv(exchange.CSV_HEADER, rows),
                    mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


@bp.get("/codebook/export.qdc")
def export_codebook_qdc():
    consultation = consultation_or_404()
    book = current_codebook(consultation.id)
    if book is None or not active_themes(book.id):
        flash(_("The codebook has no themes to export yet."), "error")
        return redirect(url_for("analysis.codebook"))
    data = exchange.codebook_qdc(book)
    name = f"codebook-{consultation.slug}-v{book.version}.qdc"
    return Response(data, mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


@bp.post("/codebook/import")
def import_codebook():
    consultation = consultation_or_404()
    book = codebook_for(consultation)
    form = ImportForm()
    if not form.validate_on_submit():
        return _render_codebook(consultation, book, import_form=form, status=400)
    upload = form.file.data
    data = upload.read()
    with attempt(form) as done:
        if (upload.filename or "").lower().endswith(".qdc") or data.lstrip().startswith(b"<"):
            entries, flattened = exchange.read_codebook_qdc(data)
            what = _("a REFI-QDA codebook")
        else:
            entries, flattened = exchange.read_codebook_csv(_decode(data)), 0
            what = _("a CSV file")
        result = exchange.import_entries(current_user, book, entries, what=what,
                                         flattened=flattened)
    if not done:
        return _render_codebook(consultation, book, import_form=form, status=400)
    flash(_("Imported: %(added)s themes added, %(updated)s updated.", added=result.added,
            updated=result.updated) + (" " + _("%(n)s codes deeper than two levels were put "
                                              "under their top-level code.", n=result.flattened)
                                       if result.flattened else ""), "success")
    return redirect(url_for("analysis.codebook"))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OperationRefused(_("Save the CSV file as UTF-8 and try again."),
                               field="file") from None
