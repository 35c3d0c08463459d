"""A scoring rule set: points per activity type, optional caps and recency decay, fit points, threshold.

The score of a lead at instant t uses only activities strictly before t:

    score(l, t) = fit(l) + Σ_type min(cap_type, Σ_{a of type, a.time < t} points_type · d(t − a.time))

with d(Δ) = 0.5 ** (Δ_days / half_life), or 1 without decay.
"""

from __future__ import annotations

import json
import math
import numbers
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from leadfunnel.i18n import LocalizedError, Message, t
from leadfunnel.ingest.readers import UnreadableFile, decode
from leadfunnel.model import ACTIVITY_TYPES

FIT_ATTRIBUTES: tuple[str, ...] = ("industry", "company_size", "channel", "owner", "job_title")
SALES_TOUCH_TYPES: frozenset[str] = frozenset({"sales_call", "sales_email", "meeting"})
MAX_RULES_BYTES = 256 * 1024  # a real rule set is a few hundred bytes; anything near this is not one
MAX_RULES_DEPTH = 20  # the format nests 3 levels (fit → attribute → value); deeper is an attack or a mistake
MAX_RULES_NUMBER = 1e9  # sums of points stay far from float overflow (a score of inf is not a score)


class RuleSetError(LocalizedError):
    """A rule set file or edit that cannot be used; the reason is a catalogue key, shown in the reader's language."""


def _activity(activity_type: str) -> Message | str:
    """An activity type as the reader names it (imported types without a label as they are)."""
    return Message(f"activity.{activity_type}") if activity_type in ACTIVITY_TYPES else _label(activity_type)


def _label(value: Any) -> str:
    """A key as a message quotes it: on one line (a key may hold a newline) and short."""
    text = str(value)
    if any(unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp") for c in text):
        text = repr(text)[1:-1]
    return text if len(text) <= 60 else text[:59] + "…"


def _check_finite(value: Any, where: str) -> None:
    """A real number within ±MAX_RULES_NUMBER: NaN passes every `<= 0` test, and bool is an int subclass."""
    if (isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value)
            or math.fabs(value) > MAX_RULES_NUMBER):  # fabs: a float (abs of a numbers.Real is typed opaque)
        raise RuleSetError("rules.not_finite", where=_label(where), limit=int(MAX_RULES_NUMBER))


@dataclass(frozen=True)
class RuleSet:
    name: str
    threshold: float
    points: Mapping[str, float]
    caps: Mapping[str, float] = field(default_factory=dict)
    half_life_days: float | None = None
    fit: Mapping[tuple[str, str], float] = field(default_factory=dict)  # (attribute, value) → points

    def __post_init__(self) -> None:
        """Every way of making a rule set (file, table editor, CLI options) meets the same checks."""
        if not self.name.strip():
            raise RuleSetError("rules.needs_name")
        _check_finite(self.threshold, "threshold")
        if self.threshold <= 0:
            raise RuleSetError("rules.threshold_not_positive")
        if self.half_life_days is not None:
            _check_finite(self.half_life_days, "half_life_days")
            if self.half_life_days <= 0:
                raise RuleSetError("rules.half_life_not_positive")
        for activity_type, points in self.points.items():
            _check_finite(points, f"points.{activity_type}")
        for activity_type, cap in self.caps.items():
            if cap is not None:
                _check_finite(cap, f"caps.{activity_type}")
                if cap < 0:
                    raise RuleSetError("rules.negative_cap", activity_type=_activity(activity_type))
        for (attribute, value), points in self.fit.items():
            if attribute not in FIT_ATTRIBUTES:
                raise RuleSetError("rules.bad_fit_attribute", attributes=", ".join(FIT_ATTRIBUTES),
                                   attribute=_label(attribute))
            _check_finite(points, f"fit.{attribute}.{value}")

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

    def scoring_key(self) -> str:
        """What a lead's score depends on — points, caps, decay, fit; not the threshold or the name — as stable
        text: caches of scores key on it, so a threshold move reuses them."""
        mapping = self.to_mapping()
        del mapping["threshold"], mapping["name"]
        return json.dumps(mapping, sort_keys=True, ensure_ascii=False, default=str)

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
        raise RuleSetError("rules.unknown_keys", keys=", ".join(sorted(map(_label, unknown))))
    try:
        fit: dict[tuple[str, str], float] = {}
        for attribute, values in _entries(data.get("fit"), "fit"):
            for value, points in _entries(values, f"fit.{attribute}"):
                fit[(attribute, value)] = _number(points, f"fit.{attribute}.{value}")
        half_life = data.get("half_life_days")
        name = data.get("name")
        return RuleSet(
            name="Imported rules" if name is None else str(name),
            threshold=_number(data.get("threshold", DEFAULT_RULES.threshold), "threshold"),
            points={t: _number(p, f"points.{t}") for t, p in _entries(data.get("points"), "points")},
            caps={t: _number(c, f"caps.{t}") for t, c in _entries(data.get("caps"), "caps") if c is not None},
            half_life_days=None if half_life in (None, "") else _number(half_life, "half_life_days"),
            fit=fit,
        )
    except (TypeError, ValueError, AttributeError) as error:
        if isinstance(error, RuleSetError):
            raise
        raise RuleSetError("rules.bad_form", detail=_one_line(str(error))) from None


def _entries(part: Any, section: str) -> list[tuple[str, Any]]:
    """The (name, value) pairs of one part of the file; two keys that read the same (1 and "1") are refused."""
    if part is None:
        return []
    if not isinstance(part, Mapping):
        raise RuleSetError("rules.section_not_mapping", section=_label(section))
    entries: dict[str, tuple[Any, Any]] = {}
    for key, value in part.items():
        name = str(key)
        if name in entries:
            raise RuleSetError("rules.duplicate_entry", where=_label(f"{section}.{name}"),
                               first=_shown(entries[name][0]), second=_shown(key))
        entries[name] = (key, value)
    return [(name, value) for name, (_, value) in entries.items()]


def _number(value: Any, where: str) -> float:
    """A finite number from the file, or an error that says which entry is not one (and never echoes NaN)."""
    if value is None:
        raise RuleSetError("rules.missing_number", where=_label(where))
    if isinstance(value, bool):  # YAML reads yes/no/on/off/true/false as booleans, and bool is an int
        raise RuleSetError("rules.bool_not_number", where=_label(where), value=str(value).lower())
    if not isinstance(value, (int, float, str)):
        raise RuleSetError("rules.not_a_number", where=_label(where), value=_shown(value))
    try:
        number = float(value)
    except ValueError:
        raise RuleSetError("rules.not_a_number", where=_label(where), value=_shown(value)) from None
    except OverflowError:  # an integer beyond any float
        raise RuleSetError("rules.not_finite", where=_label(where), limit=int(MAX_RULES_NUMBER)) from None
    _check_finite(number, where)
    return number


def _shown(value: Any) -> Any:
    """A value short enough to quote in a one-line message."""
    text = repr(value)
    return value if len(text) <= 60 else text[:57] + "…"


class _RulesLoader(yaml.SafeLoader):
    """The safe loader minus what a rule set never needs and a hostile file relies on.

    Aliases and anchors are refused (a billion-laughs file expands a few lines into gigabytes), nesting is
    counted before each collection is composed (the composer recurses, so 5,000 levels would blow the
    stack), and a key written twice in one mapping is refused instead of the last one silently winning.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise RuleSetError("rules.yaml_alias", line=line)
        nested = isinstance(event, yaml.CollectionStartEvent)
        if nested:
            self._depth += 1
            if self._depth > MAX_RULES_DEPTH:
                raise RuleSetError("rules.too_deep", limit=MAX_RULES_DEPTH, line=line)
        try:
            return super().compose_node(parent, index)
        finally:
            if nested:
                self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:  # unhashable: the base class refuses it with its own message
                    continue
                if duplicate:
                    raise RuleSetError("rules.duplicate_key", key=_label(key), line=key_node.start_mark.line + 1)
        return super().construct_mapping(node, deep=deep)


def parse_rules(text: str) -> RuleSet:
    """Parse YAML or JSON text (JSON is YAML); never executes anything, never expands or recurses unboundedly."""
    if len(text) > MAX_RULES_BYTES:
        raise RuleSetError("rules.too_large", limit=MAX_RULES_BYTES // 1024)
    loader = None
    try:
        loader = _RulesLoader(text)  # the reader refuses control characters here already
        data = loader.get_single_data()
    except RuleSetError:
        raise
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        detail = _one_line(", ".join(part for part in (error.context, error.problem) if part)
                           or type(error).__name__)
        if mark is None:
            raise RuleSetError("rules.not_yaml", detail=detail) from None
        raise RuleSetError("rules.not_yaml_at", line=mark.line + 1, column=mark.column + 1, detail=detail) from None
    except yaml.reader.ReaderError as error:
        raise RuleSetError("rules.not_yaml", detail=_one_line(f"{error.reason} (#x{error.character:04x})")) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as error:  # bad dates, 5,000-digit integers
        raise RuleSetError("rules.not_yaml", detail=_one_line(str(error))) from None
    except (LookupError, AttributeError):  # PyYAML's own constructors on `!!float ''`, `!!bool x`, `!!timestamp x`
        raise RuleSetError("rules.not_yaml", detail="a value does not fit its !! tag") from None
    finally:
        if loader is not None:
            loader.dispose()
    return from_mapping(data)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def parse_rules_bytes(data: bytes, name: str) -> RuleSet:
    """A rule set file's bytes (CLI file, page upload), decoded the way data files are (UTF-8, UTF-16, CP932 …).

    Errors are RuleSetErrors that do not name the file: the caller says which file it was.
    """
    if len(data) > MAX_RULES_BYTES:
        raise RuleSetError("rules.too_large", limit=MAX_RULES_BYTES // 1024)
    try:
        text, _ = decode(data, name)
    except UnreadableFile as error:
        if error.key == "import.bad_encoding":
            raise RuleSetError("rules.bad_encoding", line=error.params["line"],
                               encoding=error.params["encoding"]) from None
        problem = error.params.get("problem")
        if isinstance(problem, Message):
            raise RuleSetError(problem.key, **problem.params) from None
        raise RuleSetError(error.key, **error.params) from None
    return parse_rules(text)


def load_rules_file(path: Path) -> RuleSet:
    """Read at most one byte past the limit, so a huge file is refused without being read whole."""
    with path.open("rb") as file:
        data = file.read(MAX_RULES_BYTES + 1)
    return parse_rules_bytes(data, path.name)


def dump_rules(rules: RuleSet, *, as_json: bool = False) -> str:
    if as_json:
        return json.dumps(rules.to_mapping(), ensure_ascii=False, indent=2)
    return yaml.safe_dump(rules.to_mapping(), allow_unicode=True, sort_keys=False)


def editable_types(rules: RuleSet) -> list[str]:
    """Every canonical activity type plus any other type the rules name, in a stable order."""
    return list(ACTIVITY_TYPES) + sorted(set(rules.points) - set(ACTIVITY_TYPES))
