"""A scoring rule set: points per activity type, optional caps and recency decay, fit points, threshold.

The score of a lead at instant t uses only activities strictly before t:

    score(l, t) = fit(l) + Σ_type min(cap_type, Σ_{a of type, a.time < t} points_type · d(t − a.time))

with d(Δ) = 0.5 ** (Δ_days / half_life), or 1 without decay.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from leadfunnel.i18n import LocalizedError, Message, t
from leadfunnel.model import ACTIVITY_TYPES

FIT_ATTRIBUTES: tuple[str, ...] = ("industry", "company_size", "channel", "owner", "job_title")
SALES_TOUCH_TYPES: frozenset[str] = frozenset({"sales_call", "sales_email", "meeting"})


class RuleSetError(LocalizedError):
    """A rule set file or edit that cannot be used; the reason is a catalogue key, shown in the reader's language."""


def _activity(activity_type: str) -> Message | str:
    """An activity type as the reader names it (imported types without a label as they are)."""
    return Message(f"activity.{activity_type}") if activity_type in ACTIVITY_TYPES else activity_type


@dataclass(frozen=True)
class RuleSet:
    name: str
    threshold: float
    points: Mapping[str, float]
    caps: Mapping[str, float] = field(default_factory=dict)
    half_life_days: float | None = None
    fit: Mapping[tuple[str, str], float] = field(default_factory=dict)  # (attribute, value) → points

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise RuleSetError("rules.needs_name")
        if self.threshold <= 0:
            raise RuleSetError("rules.threshold_not_positive")
        if self.half_life_days is not None and self.half_life_days <= 0:
            raise RuleSetError("rules.half_life_not_positive")
        for activity_type, cap in self.caps.items():
            if cap is not None and cap < 0:
                raise RuleSetError("rules.negative_cap", activity_type=_activity(activity_type))
        for attribute, _ in self.fit:
            if attribute not in FIT_ATTRIBUTES:
                raise RuleSetError("rules.bad_fit_attribute", attributes=", ".join(FIT_ATTRIBUTES),
                                   attribute=attribute)

    def with_changes(self, **changes: Any) -> RuleSet:
        return replace(self, **changes)

    def params(self) -> dict[str, Any]:
        """The rule set as query parameters (parallel lists), for the scoring `.sql` files."""
        types = sorted(t for t, p in self.points.items() if p != 0)
        fit = sorted(self.fit.items())
        return {
            "types": types,
            "points": [float(self.points[t]) for t in types],
            "caps": [None if self.caps.get(t) is None else float(self.caps[t]) for t in types],
            "half_life": self.half_life_days,
            "fit_attributes": [a for (a, _), _ in fit],
            "fit_values": [v for (_, v), _ in fit],
            "fit_points": [float(p) for _, p in fit],
        }

    def to_mapping(self) -> dict[str, Any]:
        """The file format (YAML or JSON), documented in the README."""
        fit: dict[str, dict[str, float]] = {}
        for (attribute, value), points in sorted(self.fit.items()):
            fit.setdefault(attribute, {})[value] = points
        return {
            "name": self.name,
            "threshold": self.threshold,
            "half_life_days": self.half_life_days,
            "points": {t: p for t, p in sorted(self.points.items()) if p != 0},
            "caps": {t: c for t, c in sorted(self.caps.items()) if c is not None},
            "fit": fit,
        }


DEFAULT_RULES = RuleSet(
    name="Guide default",
    threshold=100,
    points={"whitepaper_download": 10, "webinar_attended": 20, "product_page_view": 5, "email_open": 3,
            "contact_form": 50},
)


def rule_set_label(name: str) -> str:
    """A rule set's name as shown: the built-in one in the reader's language, the team's own as they wrote it."""
    return t("scoring.default_rules_name") if name == DEFAULT_RULES.name else name


def from_mapping(data: Any) -> RuleSet:
    """Build a rule set from the parsed file format; every mistake becomes a RuleSetError."""
    if not isinstance(data, Mapping):
        raise RuleSetError("rules.not_a_mapping")
    unknown = set(data) - {"name", "threshold", "half_life_days", "points", "caps", "fit"}
    if unknown:
        raise RuleSetError("rules.unknown_keys", keys=", ".join(sorted(map(str, unknown))))
    try:
        fit = {(attribute, str(value)): _number(points, f"fit.{attribute}.{value}")
               for attribute, values in (data.get("fit") or {}).items()
               for value, points in values.items()}
        half_life = data.get("half_life_days")
        return RuleSet(
            name=str(data.get("name", "Imported rules")),
            threshold=_number(data.get("threshold", DEFAULT_RULES.threshold), "threshold"),
            points={str(t): _number(p, f"points.{t}") for t, p in (data.get("points") or {}).items()},
            caps={str(t): _number(c, f"caps.{t}") for t, c in (data.get("caps") or {}).items() if c is not None},
            half_life_days=None if half_life in (None, "", 0) else _number(half_life, "half_life_days"),
            fit=fit,
        )
    except (TypeError, ValueError, AttributeError) as error:
        if isinstance(error, RuleSetError):
            raise
        raise RuleSetError("rules.bad_form", detail=str(error)) from None


def _number(value: Any, where: str) -> float:
    """A number from the file, or an error that says which entry is not one."""
    try:
        return float(value)
    except (TypeError, ValueError):
        raise RuleSetError("rules.not_a_number", where=where, value=value) from None


def parse_rules(text: str) -> RuleSet:
    """Parse YAML or JSON text (JSON is YAML); never executes anything (safe loader)."""
    try:
        return from_mapping(yaml.safe_load(text))
    except yaml.YAMLError as error:
        raise RuleSetError("rules.not_yaml", detail=str(error)) from None


def load_rules_file(path: Path) -> RuleSet:
    return parse_rules(path.read_text(encoding="utf-8"))


def dump_rules(rules: RuleSet, *, as_json: bool = False) -> str:
    if as_json:
        return json.dumps(rules.to_mapping(), ensure_ascii=False, indent=2)
    return yaml.safe_dump(rules.to_mapping(), allow_unicode=True, sort_keys=False)


def editable_types(rules: RuleSet) -> list[str]:
    """Every canonical activity type plus any other type the rules name, in a stable order."""
    return list(ACTIVITY_TYPES) + sorted(set(rules.points) - set(ACTIVITY_TYPES))
