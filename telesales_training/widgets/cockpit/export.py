"""The export tab: the filtered cohort as Excel or zipped CSV, handed to the browser."""

from __future__ import annotations

import ipywidgets as ipw
import traitlets

from ...render import export
from ...render.views import download_link, join, muted, paragraph
from ...storage.store import StoreError
from ...tools.callplan import monday_of
from ..lean import make, shared_layout
from .base import Panel


class ExportPanel(Panel):
    """Build the cohort tables (current filter) as Excel or CSV-in-zip and offer the file for download."""

    value = traitlets.Unicode("")  # name of the last file built

    def _build(self) -> list[ipw.Widget]:
        self._hint = make(ipw.HTML)
        self._xlsx = make(ipw.Button, button_style="primary", icon="file-excel-o")
        self._csv = make(ipw.Button, icon="file-text-o")
        self._bar = make(ipw.IntProgress, min=0, max=len(export.SHEETS), value=0, layout=shared_layout(width="20rem"))
        self.link = make(ipw.HTML)
        self._xlsx.on_click(lambda _b: self.build("xlsx"))
        self._csv.on_click(lambda _b: self.build("csv"))
        return [self._hint, make(ipw.HBox, children=[self._xlsx, self._csv]), self._bar, self.link]

    def _draw(self) -> None:
        self._hint.value = muted(self.t("export_hint"))
        self._xlsx.description = self.t("export_xlsx")
        self._csv.description = self.t("export_csv")

    def build(self, fmt: str) -> None:
        self._bar.value = 0
        try:
            made = export.tables(
                self.view,
                self.c.course,
                self.lang,
                monday_of(self.c.today),
                self.c.today,
                progress=lambda n: setattr(self._bar, "value", n),
            )
        except StoreError:
            self.problem("store_failed")
            return
        stamp = self.c.today.isoformat()
        if fmt == "xlsx":
            data, name, mime = (
                export.to_xlsx(made, self.lang, self.view.filters),
                f"cohort-{stamp}.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        else:
            data, name, mime = export.to_csv_zip(made), f"cohort-{stamp}-csv.zip", "application/zip"
        rows = sum(len(table.rows) for table in made)
        link = download_link(data, mime, name, self.t("download"), f"ts-export-{fmt}")
        self.link.value = paragraph(join(self.t("export_ready", name=name, rows=rows), " ", link), role="status")
        self.value = name
