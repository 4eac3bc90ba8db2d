"""The kinds of tool a lesson can hold (funnel tracker, call planner, …): one key, `ToolKind`, that every floor's
tool registry is keyed by — the text keys here, the saved state in tools/registry.py, the report part in
render/report.py (`REPORT_PARTS`), the widget in widgets/lesson.py (`TOOL_WIDGETS`), the demo's value in
tools/registry.py (`DEMO_VALUES`). tests/test_tool_kinds.py names a registry that lacks a kind."""

from __future__ import annotations

from ..core.keys import Key


class ToolKind(Key):
    """A tool's kind; a member is its own key (ToolKind.CALL_LOG == "call_log", the YAML's `tool`)."""

    FUNNEL_TRACKER = "funnel_tracker"
    STAGE_MOVES = "stage_moves"
    CALL_PLANNER = "call_planner"
    CALL_LOG = "call_log"
    CALL_IMPORT = "call_import"
    FACTOR_PROFILE = "factor_profile"
    ASSESSMENT_FORM = "assessment_form"
    PERSONAL_REPORT = "personal_report"


# The interface texts each tool needs from the lesson data (checked by `telesales validate`).
TOOL_TEXTS: dict[ToolKind, tuple[str, ...]] = {
    ToolKind.FUNNEL_TRACKER: (
        "layer_1",
        "layer_2",
        "layer_3",
        "layer_4",
        "layer_5",
        "save",
        "diagnosis_title",
        "thin_layer",
        "work_on",
        "refill",
        "healthy",
        "empty",
        "history_title",
        "list_label",
        "list_apply",
        "chart_title",
        "saved_snapshot",
        "total",
        "conversion_title",
    ),
    ToolKind.STAGE_MOVES: (
        "layer_1",
        "layer_2",
        "layer_3",
        "layer_4",
        "layer_5",
        "move_customer",
        "move_from",
        "move_to",
        "move_due",
        "move_add",
        "move_mark_done",
        "move_pick",
        "moves_saved",
        "move_done",
        "move_overdue",
        "move_open",
        "move_applied",
        "move_not_in_funnel",
    ),
    ToolKind.CALL_PLANNER: (
        "target",
        "windows",
        "contacts",
        "make_plan",
        "metrics",
        "schedule_title",
        "more_rows",
        "download",
        "saved",
        "time_header",
        "contact_header",
    ),
    ToolKind.FACTOR_PROFILE: ("save", "saved", "note", "chart_title", "current", "rate_all", "note_too_long"),
    ToolKind.ASSESSMENT_FORM: (
        "self",
        "trainer",
        "save",
        "saved",
        "total",
        "gap_column",
        "gap",
        "no_trainer",
        "max_points",
        "score_range",
        "rubric_title",
        "rubric_criterion",
        "rubric_level",
        "volume_proposal",
        "volume_proposal_trainer",
        "volume_unknown_trainer",
        "volume_unknown",
    ),
    ToolKind.PERSONAL_REPORT: (
        "make",
        "ready",
        "download",
        "report_title",
        "answer",
        "score",
        "not_answered",
        "changed_answer",
        "generated",
        "trainee",
        "summary_title",
        "progress_title",
        "lesson_header",
        "answered_header",
        "score_header",
        "status_header",
        "status_passed",
        "status_in_progress",
        "status_not_started",
        "factors_title",
        "funnel_title",
        "moves_title",
        "calls_title",
        "latest_week",
        "assessment_title",
        "comments_title",
        "nothing_yet",
        "details_title",
    ),
    ToolKind.CALL_IMPORT: (
        "choose",
        "day_first",
        "import",
        "summary",
        "rejected_reason",
        "mapping_hint",
        "mapping_none",
        "mapping_time",
        "mapping_date",
        "mapping_clock",
        "mapping_used",
        "mapping_remembered",
        "zone_rule",
    ),
    ToolKind.CALL_LOG: (
        "week",
        "days",
        "weekend_days",
        "counted_header",
        "day_rule",
        "target",
        "save",
        "saved",
        "total",
        "on_track",
        "behind",
        "at_risk",
        "chart_title",
        "weeks_title",
        "imported",
        "use_imported",
        "actual",
        "planned",
    ),
}
