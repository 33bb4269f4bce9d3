"""The scheme 考核方案 (scheme.md): typed, validated settings with defaults and JSON load/save.

A JSON file may hold any subset of the keys; missing keys keep the defaults. Every
problem raises SchemeError naming the bad key (e.g. ``weights.self``) in Chinese.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

from dashboard.domain import AWARD_SCOPES, COMPONENTS, DUTY_KEYS, GRADES, INCOMPETENT

DEFAULTS: dict[str, Any] = {
    "weights": {"self": 0.1, "mass": 0.3, "committee": 0.5, "platform": 0.1},
    "role_max": {
        "info": 20,
        "service": 15,
        "publicity": 10,
        "mediation": 20,
        "sanitation": 10,
        "patrol": 15,
        "unity": 10,
    },
    "committee": {"trim_min_raters": 5},
    "mass": {
        "points": {"优秀": 100, "称职": 80, "基本称职": 60, "不称职": 40},
        "min_ballots": 5,
        "trim_min_ballots": 5,
        "veto_share": "1/3",
    },
    "platform": {"monthly_target": 4},
    "bonus_cap": 5,
    "grade_bands": {"优秀": 90, "称职": 75, "基本称职": 60},
    "award": {"ratio": 0.2, "scope": "township"},
    "pay": {
        "base": 840,
        "coefficients": {"优秀": 1.2, "称职": 1.0, "基本称职": 0.8, "不称职": 0},
    },
}


class SchemeError(ValueError):
    """An invalid scheme setting; `key` is the dotted path of the offending setting."""

    def __init__(self, key: str, message: str):
        self.key = key
        super().__init__(f"方案设置 {key}：{message}")


def exact(value: Any) -> Fraction:
    """The exact decimal value of a number as written (0.1 is 1/10, not the nearest double)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    return Fraction(Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value)))


def _number(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SchemeError(key, f"应为数字，实际为 {value!r}")
    if value != value or value in (float("inf"), float("-inf")):
        raise SchemeError(key, "应为有限的数字")
    return value


def _integer(key: str, value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise SchemeError(key, f"应为整数，实际为 {value!r}")
    return value


def _fraction(key: str, value: Any) -> Fraction:
    if isinstance(value, bool):
        raise SchemeError(key, f"应为分数（如 \"1/3\"）或小数，实际为 {value!r}")
    try:
        if isinstance(value, str):
            text = value.strip()
            if "/" in text:
                num, den = text.split("/", 1)
                return Fraction(int(num.strip()), int(den.strip()))
            return Fraction(Decimal(text))
        if isinstance(value, int | float):
            return exact(value)
    except (ValueError, ZeroDivisionError, InvalidOperation):
        pass
    raise SchemeError(key, f"应为分数（如 \"1/3\"）或小数，实际为 {value!r}")


def _merge(base: dict, override: dict, prefix: str = "") -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        path = f"{prefix}{key}"
        if key not in base:
            raise SchemeError(path, "不是方案中的设置项")
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise SchemeError(path, "应为一组设置（JSON 对象）")
            out[key] = _merge(base[key], value, prefix=f"{path}.")
        else:
            out[key] = value
    return out


class SchemeFileError(ValueError):
    """A scheme file that cannot be read (missing, a folder, not UTF-8); the message is Chinese."""


@dataclass(frozen=True)
class Scheme:
    """A validated scheme. Build with Scheme.from_dict / from_json / default()."""

    weights: dict[str, float]
    role_max: dict[str, float]
    committee_trim_min_raters: int
    mass_points: dict[str, float]
    mass_min_ballots: int
    mass_trim_min_ballots: int
    mass_veto_share: Fraction
    platform_monthly_target: float
    bonus_cap: float
    grade_bands: dict[str, float]
    award_ratio: float
    award_scope: str
    pay_base: float
    pay_coefficients: dict[str, float]
    raw: dict[str, Any]

    # --- construction -------------------------------------------------------------------

    @classmethod
    def default(cls) -> Scheme:
        return cls.from_dict({})

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Scheme:
        """Merge a (partial) settings dict over the defaults and validate it."""
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise SchemeError("（根）", "方案应为 JSON 对象")
        merged = _merge(DEFAULTS, data)
        return cls._validate(merged)

    @classmethod
    def from_json(cls, text: str) -> Scheme:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SchemeError("（文件）", f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列") from exc
        return cls.from_dict(data)

    @classmethod
    def load(cls, path: str | Path) -> Scheme:
        """Read a (partial) scheme JSON file; a file that cannot be read raises SchemeFileError."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise SchemeFileError(f"方案文件 {path} 不存在") from exc
        except IsADirectoryError as exc:
            raise SchemeFileError(f"方案文件 {path} 是一个文件夹，请写上文件名") from exc
        except UnicodeDecodeError as exc:
            raise SchemeFileError(f"方案文件 {path} 不是 UTF-8 编码的 JSON 文本") from exc
        except OSError as exc:
            raise SchemeFileError(f"无法读取方案文件 {path}（没有权限或磁盘错误）") from exc
        return cls.from_json(text)

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self.raw)

    def to_json(self) -> str:
        return json.dumps(self.raw, ensure_ascii=False, indent=2)

    def replace(self, changes: dict[str, Any]) -> Scheme:
        """A new scheme with some settings changed (what-if); this one is untouched."""
        return Scheme.from_dict(_merge(self.raw, changes))

    @classmethod
    def _validate(cls, m: dict[str, Any]) -> Scheme:
        weights = {k: _number(f"weights.{k}", m["weights"][k]) for k in COMPONENTS}
        for k, w in weights.items():
            if w < 0:
                raise SchemeError(f"weights.{k}", "权重不能为负数")
        if sum(weights.values()) <= 0:
            raise SchemeError("weights", "权重之和必须大于 0")

        role_max = {k: _number(f"role_max.{k}", m["role_max"][k]) for k in DUTY_KEYS}
        for k, v in role_max.items():
            if v <= 0:
                raise SchemeError(f"role_max.{k}", "满分必须大于 0")

        trim_raters = _integer("committee.trim_min_raters", m["committee"]["trim_min_raters"])
        if trim_raters < 3:
            raise SchemeError("committee.trim_min_raters", "去掉最高最低分的最少人数不能小于 3")

        mass = m["mass"]
        points = {g: _number(f"mass.points.{g}", mass["points"][g]) for g in GRADES}
        for g, p in points.items():
            if not 0 <= p <= 100:
                raise SchemeError(f"mass.points.{g}", "分值应在 0 到 100 之间")
        min_ballots = _integer("mass.min_ballots", mass["min_ballots"])
        if min_ballots < 1:
            raise SchemeError("mass.min_ballots", "最少有效票数不能小于 1")
        trim_ballots = _integer("mass.trim_min_ballots", mass["trim_min_ballots"])
        if trim_ballots < 3:
            raise SchemeError("mass.trim_min_ballots", "去掉最高最低票的最少票数不能小于 3")
        veto_share = _fraction("mass.veto_share", mass["veto_share"])
        if not 0 < veto_share <= 1:
            raise SchemeError("mass.veto_share", "否决比例应大于 0 且不超过 1")

        target = _number("platform.monthly_target", m["platform"]["monthly_target"])
        if target <= 0:
            raise SchemeError("platform.monthly_target", "每月上报目标必须大于 0")

        bonus_cap = _number("bonus_cap", m["bonus_cap"])
        if bonus_cap < 0:
            raise SchemeError("bonus_cap", "加分上限不能为负数")

        bands = {g: _number(f"grade_bands.{g}", m["grade_bands"][g]) for g in GRADES[:3]}
        lows = list(bands.values())
        if not all(a > b for a, b in zip(lows, lows[1:], strict=False)):
            raise SchemeError("grade_bands", "等次分数线必须严格递减（优秀 > 称职 > 基本称职）")

        ratio = _number("award.ratio", m["award"]["ratio"])
        if not 0 <= ratio <= 1:
            raise SchemeError("award.ratio", "表彰比例应在 0 到 1 之间")
        scope = m["award"]["scope"]
        if scope not in AWARD_SCOPES:
            raise SchemeError("award.scope", "应为 village、township 或 county 之一")

        pay_base = _number("pay.base", m["pay"]["base"])
        if pay_base < 0:
            raise SchemeError("pay.base", "报酬基数不能为负数")
        coefficients = {g: _number(f"pay.coefficients.{g}", m["pay"]["coefficients"][g]) for g in GRADES}
        for g, c in coefficients.items():
            if c < 0:
                raise SchemeError(f"pay.coefficients.{g}", "报酬系数不能为负数")

        return cls(
            weights=weights,
            role_max=role_max,
            committee_trim_min_raters=trim_raters,
            mass_points=points,
            mass_min_ballots=min_ballots,
            mass_trim_min_ballots=trim_ballots,
            mass_veto_share=veto_share,
            platform_monthly_target=target,
            bonus_cap=bonus_cap,
            grade_bands=bands,
            award_ratio=ratio,
            award_scope=scope,
            pay_base=pay_base,
            pay_coefficients=coefficients,
            raw=m,
        )

    # --- derived values -----------------------------------------------------------------

    @property
    def role_weights(self) -> dict[str, float]:
        """w_r = role_max[r] / sum(role_max)."""
        total = sum(self.role_max.values())
        return {k: v / total for k, v in self.role_max.items()}

    def grade_for(self, rounded_final: float) -> str:
        for grade, low in self.grade_bands.items():
            if rounded_final >= low:
                return grade
        return INCOMPETENT
