"""HTML, charts and files: templates, views, matplotlib charts, the personal report and the Excel export."""
