"""Which company a lead belongs to: the account key, so that several contacts of one company count as one deal.

A lead's key is its `account_id` when the export has one; otherwise its company name, normalised so that the
spellings one company gets in exports meet: Unicode NFKC (full-width Ａｃｍｅ → Acme, ㈱ → (株)), case-folded, a
legal form removed at the start or the end (株式会社, 有限会社, 合同会社, (株), (有); and, after a space or comma,
Inc., Co., Ltd., LLC, Corp., Corporation, K.K.), then every space removed. A lead with neither is an account of
its own. The prefixes keep the three kinds apart (an id never meets a name).
"""

from __future__ import annotations

import re
import unicodedata

import pyarrow as pa

# After NFKC and case folding: （株） and ㈱ are both "(株)".
_JAPANESE_FORMS = ("株式会社", "有限会社", "合同会社", "(株)", "(有)")
_LATIN_FORMS = re.compile(r"(?:[\s,]+(?:inc|co|ltd|llc|corp|corporation|k\.k)\.?)+$")


def company_key(company: str | None) -> str | None:
    """The normalised company name, or None when nothing is left of it."""
    if company is None:
        return None
    name = unicodedata.normalize("NFKC", company).casefold().strip()
    changed = True
    while changed:  # 株式会社サンプル (株) — several forms, either end
        changed = False
        for form in _JAPANESE_FORMS:
            if name.startswith(form) or name.endswith(form):
                name = (name.removeprefix(form) if name.startswith(form) else name.removesuffix(form)).strip()
                changed = True
        stripped = _LATIN_FORMS.sub("", name).strip(" ,")
        changed = changed or stripped != name
        name = stripped
    name = re.sub(r"\s+", "", name)
    return name or None


def account_key(account_id: str | None, company: str | None) -> str | None:
    """`id:<account_id>`, else `name:<company key>`, else None: the lead is an account of its own (the rollup
    writes `lead:<lead_id>`)."""
    if account_id is not None and account_id.strip():
        return "id:" + account_id.strip()
    name = company_key(company)
    return "name:" + name if name else None


def account_keys(account_ids: pa.Array, companies: pa.Array) -> pa.Array:
    """account_key over Arrow columns: DuckDB calls it (registered as `account_key`, over the distinct pairs)
    while it builds the rollups."""
    return pa.array([account_key(account, company) for account, company in
                     zip(account_ids.to_pylist(), companies.to_pylist(), strict=True)], type=pa.string())
