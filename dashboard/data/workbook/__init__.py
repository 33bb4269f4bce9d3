"""The data workbook 考评数据工作簿 (workbook.md), read → parse → plan → write:

- spec: the sheets, their columns and keys; WorkbookRejected carries every error
- read: the file's known sheets as header positions and rows (openpyxl, read-only)
- parse: every cell validated against the year's rubric and the roster
- plan: the import plan's data (the preview) and the report of what was written
- members: 两委成员 in an import (member lists replaced, unlisted raters warned)
- load: working out the plan against the database and the write, one transaction
- template: the template and sample workbooks
"""

from dashboard.data.workbook.load import (
    check_workbook,
    import_raw,
    import_workbook,
    leader_count,
    plan_import,
    plan_raw,
    preview_workbook,
    stored_roster,
)
from dashboard.data.workbook.parse import ParsedWorkbook, parse_workbook
from dashboard.data.workbook.plan import ImportPlan, ImportReport, RemovedRow, SheetPlan
from dashboard.data.workbook.read import RawSheet, RawWorkbook, SheetRows, Source, read_workbook
from dashboard.data.workbook.spec import (
    ADJUSTMENTS,
    BALLOTS,
    COMMITTEE,
    COUNTY_COLUMN,
    DUTY_COLUMNS,
    LEADER_SHEETS,
    MEMBERS,
    PLATFORM,
    PRIOR_GRADES,
    REQUIRED_SHEETS,
    ROSTER,
    SELF_REPORT,
    SHEET_ORDER,
    SHEETS,
    SheetSpec,
    WorkbookRejected,
    error_order,
)
from dashboard.data.workbook.template import (
    build_workbook,
    template_bytes,
    template_rows,
    write_template,
)

__all__ = [
    "ADJUSTMENTS", "BALLOTS", "COMMITTEE", "COUNTY_COLUMN", "DUTY_COLUMNS", "LEADER_SHEETS", "MEMBERS",
    "PLATFORM", "PRIOR_GRADES",
    "REQUIRED_SHEETS", "ROSTER", "SELF_REPORT", "SHEET_ORDER", "SHEETS", "ImportPlan", "ImportReport",
    "ParsedWorkbook", "RawSheet", "RawWorkbook", "RemovedRow", "SheetPlan", "SheetRows", "SheetSpec",
    "Source", "WorkbookRejected", "build_workbook", "check_workbook", "error_order", "import_raw",
    "import_workbook", "leader_count", "parse_workbook", "plan_import", "plan_raw", "preview_workbook",
    "read_workbook", "stored_roster", "template_bytes", "template_rows", "write_template",
]
