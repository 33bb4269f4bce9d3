"""Command line `quarter --year Y --quarter Q [--scheme FILE] [--out FILE]` (interfaces.md).

The quarterly assessment 季度考评 of scoring.md section 10: rows to .json / .csv, the print-ready
季度考评通报 to .xlsx, or a short table on the terminal. Refusals exit 2 with a Chinese message.
"""

from __future__ import annotations

import argparse

import pandas as pd

from dashboard.cli.common import EXIT_OK, UserError, add_command, check_out, engine_for, year_arg
from dashboard.data.export.award_book import scope_name
from dashboard.data.export.files import display_width
from dashboard.data.export.quarter import QUARTER_SUFFIXES, QuarterOutputError, write_quarter
from dashboard.data.quarter_queries import assess_quarter
from dashboard.data.queries import YearNotFoundError
from dashboard.domain import GRADES
from dashboard.scoring.quarter import NOT_ASSESSED, quarter_label
from dashboard.scoring.scheme import Scheme, SchemeError, SchemeFileError


def quarter_number(text: str) -> int:
    """--quarter as 1–4; anything else is refused in Chinese (argparse's own errors are English)."""

    try:
        quarter = int(text)
    except ValueError:
        quarter = 0
    if quarter not in (1, 2, 3, 4):
        raise UserError(f"--quarter 应为季度 1、2、3 或 4，实际为 {text!r}")
    return quarter


def _pad(text: str, width: int, *, right: bool = False) -> str:
    """Pad to a printed width (a Chinese character takes two columns)."""

    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def _score(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.2f}"


def quarter_table(result) -> str:
    """A short Chinese table: 名次 (township), 编号, 姓名, 职务, 村, 两委打分, 平台上报, 季度得分, 等次."""

    rows = result.rows
    widths = (6, 10, 10, 8, 10, 10, 10, 10)
    headers = ("名次", "编号", "姓名", "职务", "村", "两委打分", "平台上报", "季度得分")
    places = rows[["township", "county"]].to_dict(orient="records")
    lines = [
        f"{scope_name(places) if places else ''} {quarter_label(result.year, result.quarter)}考评",
        "".join(_pad(h, w, right=i >= 5) for i, (h, w) in enumerate(zip(headers, widths, strict=True))) + "  等次",
    ]
    for r in rows.itertuples(index=False):
        cells = (
            "—" if pd.isna(r.rank_township) else str(int(r.rank_township)), r.code, r.name, r.role, r.village,
            _score(r.committee), _score(r.platform), _score(r.score),
        )
        line = "".join(_pad(str(c), w, right=i >= 5) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
        lines.append(f"{line}  {r.grade if r.assessed else NOT_ASSESSED}")
    assessed = rows.loc[rows["assessed"]]
    counts = assessed["grade"].value_counts()
    lines.append(
        f"共 {len(rows)} 人：已考评 {len(assessed)} 人（"
        + "，".join(f"{g} {int(counts.get(g, 0))} 人" for g in GRADES)
        + f"），{NOT_ASSESSED} {len(rows) - len(assessed)} 人。"
    )
    if not result.platform_in_use:
        lines.append("本年度未使用综治E通平台上报，季度得分即两委打分。")
    return "\n".join(lines)


def cmd_quarter(args: argparse.Namespace) -> int:

    quarter = quarter_number(args.quarter)
    if args.out:
        if not args.out.lower().endswith(QUARTER_SUFFIXES):
            raise UserError(f"输出文件 {args.out} 的扩展名应为 .json、.csv 或 .xlsx")
        check_out(args.out)
    try:
        scheme = Scheme.load(args.scheme) if args.scheme else None
        result = assess_quarter(engine_for(args), args.year, quarter, scheme)
    except SchemeError as exc:
        raise UserError(f"方案无效：{exc}") from exc
    except (SchemeFileError, YearNotFoundError) as exc:
        raise UserError(str(exc)) from exc
    if not args.out:
        print(quarter_table(result))
        return EXIT_OK
    try:
        write_quarter(result, args.out)
    except QuarterOutputError as exc:
        raise UserError(str(exc)) from exc
    assessed = int(result.rows["assessed"].sum())
    print(
        f"已写出 {quarter_label(args.year, quarter)}考评：{args.out}（列出 {len(result.rows)} 人，"
        f"已考评 {assessed} 人，未考评 {len(result.rows) - assessed} 人）"
    )
    return EXIT_OK


def register(sub) -> None:  # noqa: ANN001 - argparse's private subparsers type
    """Add `quarter` to the top-level subcommands."""
    help_text = "季度考评（一季一考评）：两委打分与平台上报折算季度得分、等次、排名；可输出季度考评通报"
    p = add_command(sub, "quarter", cmd_quarter, help_text)
    p.add_argument("--year", type=year_arg, required=True, metavar="Y", help="考评年度")
    p.add_argument("--quarter", required=True, metavar="Q", help="季度：1、2、3 或 4")
    p.add_argument("--scheme", metavar="FILE.json", help="考核方案文件（只写要改的设置，其余取默认值）")
    p.add_argument(
        "--out", metavar="FILE",
        help="输出文件：.json、.csv，或 .xlsx（可打印的季度考评通报）；不写则在终端显示简表",
    )
