"""Errors and validation reasons are catalogue keys: English for the CLI and logs, the reader's language on pages."""

from __future__ import annotations

import ast
import copy
import pickle
import re
from datetime import time
from pathlib import Path

import pytest

from leadfunnel.i18n import CATALOGUES, LocalizedError, Message, localized, set_language
from leadfunnel.ingest.errors import ImportRejected, RowProblem
from leadfunnel.ingest.imports import Upload, check
from leadfunnel.ingest.presets import PRESETS
from leadfunnel.ingest.readers import UnreadableFile, read_table
from leadfunnel.ingest.saved_mappings import MappingError, save_mapping
from leadfunnel.scoring.learn import NotEnoughHistory, suggest_points
from leadfunnel.scoring.rules import DEFAULT_RULES, RuleSetError, parse_rules
from leadfunnel.scoring.saved_rules import load_rule_set, save_rule_set
from leadfunnel.sla.policy import PolicyError, SlaPolicy
from tests.unit.test_learn import synthetic_history

PROJECT = Path(__file__).resolve().parents[2]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Keys of the messages raised or recorded below the pages.
ERROR_FAMILIES = ("error.", "import.", "rules.", "learn.", "sla.error.")
# Messages that are only a layout of their values (the same in both languages but for punctuation).
LAYOUT_ONLY = {"error.in_file"}
# A CP932 spreadsheet as Japanese Excel writes it, with one mistake of each kind.
BAD_CP932 = ("顧客ID,会社名,登録日,MQL日,受注金額\r\n"
             "K1,㈱髙橋製作所,2025/04/01,2025/03/01,100\r\n"       # MQL before creation: a warning
             ",テスト①商会,2025/04/02,,\r\n"                         # no id
             "K3,髙島屋商事,来週,,たくさん\r\n"                      # not a date, not a number
             "K4,株式会社北斗,2025/04/04,,\r\n"
             "K4,株式会社北斗,2025/04/05,,\r\n").encode("cp932")  # K4 twice


def error_keys() -> list[str]:
    return sorted(k for k in CATALOGUES["en"] if k.startswith(ERROR_FAMILIES))


@pytest.mark.parametrize("key", error_keys())
def test_every_error_message_has_its_own_japanese_text(key):
    english, japanese = CATALOGUES["en"][key], CATALOGUES["ja"][key]
    if key not in LAYOUT_ONLY:
        assert japanese != english and JAPANESE.search(japanese), key


def localized_errors(cls: type = LocalizedError) -> set[str]:
    return {cls.__name__}.union(*(localized_errors(sub) for sub in cls.__subclasses__()))


def raised_keys() -> set[tuple[str, str]]:
    """(file, key) for every catalogue key the package passes to an error, a Message or RowProblem.of."""
    raising = {"Message", "of", *localized_errors()}
    found = set()
    for path in [*PROJECT.glob("leadfunnel/**/*.py"), *PROJECT.glob("pages/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            position = 4 if name == "of" else 0
            if name in raising and len(node.args) > position and isinstance(node.args[position], ast.Constant) and \
                    isinstance(node.args[position].value, str):
                found.add((str(path.relative_to(PROJECT)), node.args[position].value))
    return found


def test_every_key_the_package_raises_is_in_both_catalogues():
    keys = raised_keys()
    assert len(keys) > 40  # the scan sees the errors of ingest, scoring, SLA and the pages
    missing = [(file, key) for file, key in keys if key not in CATALOGUES["en"] or key not in CATALOGUES["ja"]]
    assert missing == []


def test_the_validation_report_of_a_bad_cp932_file_reads_in_japanese(empty_db):
    upload = Upload("名簿.csv", BAD_CP932)
    table = read_table(upload.data, upload.name)
    assert table.encoding == "cp932"
    result = check(empty_db, [upload], [table], PRESETS["generic"])
    expected = [
        ("除外", 3, "顧客ID", "リードIDが空欄です"),
        ("除外", 4, "登録日", "日付・日時として読み取れません"),
        ("除外", 4, "受注金額", "数値として読み取れません（1234567 や 1,234,567.89 のように"
                             "書きます。¥・円・万は使えます。小数点のカンマは使えません）"),
        ("除外", 5, "顧客ID", "このIDがファイル内で重複しています"),
        ("除外", 6, "顧客ID", "このIDがファイル内で重複しています"),
        ("警告", 2, "MQL日", "MQL日が作成日より前になっています"),
    ]
    japanese = result.report("ja")
    assert sorted(japanese.select("severity", "line", "column", "reason").rows()) == sorted(expected)
    # The CLI and the default stay English, whatever language the session speaks.
    set_language("ja")
    try:
        english = result.report()
    finally:
        set_language("en")
    assert sorted(english.select("severity", "line", "column", "reason").rows()) == sorted([
        ("rejected", 3, "顧客ID", "the lead id is empty"),
        ("rejected", 4, "登録日", "not a date or time"),
        ("rejected", 4, "受注金額", "not a number (write 1234567 or 1,234,567.89; ¥, 円 and 万 are fine; "
                                    "a decimal comma is not)"),
        ("rejected", 5, "顧客ID", "this id appears more than once in the file"),
        ("rejected", 6, "顧客ID", "this id appears more than once in the file"),
        ("warning", 2, "MQL日", "mql date is before the created date"),
    ])
    assert all(JAPANESE.search(p.localized_reason("ja")) for p in result.problems + result.prepared.warnings)


def test_missing_columns_and_orphan_activities_in_japanese(empty_db):
    upload = Upload("list.csv", "担当者,流入経路\n佐藤,展示会\n".encode())
    result = check(empty_db, [upload], [read_table(upload.data, upload.name)], PRESETS["generic"])
    assert [p.localized_reason("ja") for p in result.problems] == [
        "リードを取り込むには、リードを見分ける列（ID・メールアドレス・氏名・会社名のいずれか）と作成日の列を対応付けてください"]
    assert [p.reason for p in result.problems] == [
        "map a column that identifies the lead (id, email, name or company) and a created-date column to import leads"]
    mautic = [Upload(n, (PROJECT / "tests/fixtures/exports" / n).read_bytes())
              for n in ("mautic_contacts.csv", "mautic_points.csv")]
    result = check(empty_db, mautic, [read_table(u.data, u.name) for u in mautic], PRESETS["mautic"])
    assert [p.localized_reason("ja") for p in result.problems] == [
        "該当するリードがありません（保存済みのデータにも、今回のインポートにもありません）"]


def test_import_rejected_lists_the_rows_in_the_readers_language():
    problems = [RowProblem.of("名簿.csv", line, "登録日", "来週", "import.not_a_date") for line in range(2, 25)]
    rejected = ImportRejected(problems)
    assert str(rejected).startswith("23 bad row(s); nothing was imported:\n"
                                    "  名簿.csv, line 2, column 登録日: not a date or time (value '来週')")
    assert str(rejected).endswith("… and 3 more")
    japanese = localized(rejected, "ja")
    assert japanese.startswith("問題のある行が 23 件あるため、何も取り込みませんでした：\n"
                               "  名簿.csv の 2 行目、列「登録日」：日付・日時として読み取れません（値 '来週'）")
    assert japanese.endswith("…ほか 3 件")
    assert pickle.loads(pickle.dumps(rejected)).problems == problems


@pytest.mark.parametrize(("data", "name", "encoding", "japanese"), [
    (BAD_CP932, "名簿.csv", "utf-8",
     "名簿.csv：1 行目が utf-8 のテキストとして読み取れません。別の文字コードを選んでください"),
    (b"not a zip", "broken.xlsx", None, "broken.xlsx：XLSX ファイルではありません（zip 形式ではありません）"),
    (b"a, a \n1,2\n", "twice.csv", None, "twice.csv：見出し行に「a」という列が2つあります。"
     "片方の名前を変えて書き出し直してください"),
])
def test_unreadable_files_in_japanese(data, name, encoding, japanese):
    with pytest.raises(UnreadableFile) as raised:
        read_table(data, name, encoding=encoding)
    assert localized(raised.value, "ja") == japanese
    assert not JAPANESE.search(str(raised.value).replace(name, ""))  # English for the CLI


@pytest.mark.parametrize(("text", "japanese"), [
    ("threshold: 0\npoints: {}", "引き渡しのしきい値は0より大きくしてください"),
    ("threshold: 100\nhalf_life_days: -3", "半減期は0日より長くしてください（減衰なしなら空欄）"),
    ("threshold: lots", "ルールセットの threshold が数値ではありません：'lots'"),
    ("threshold: 100\ncaps: {webinar_attended: -5}", "「ウェビナー参加」の上限はマイナスにできません"),
    ("threshold: 100\nfit: {job: {CEO: 10}}", "属性ポイントの属性は industry, company_size, channel, owner, job_title "
                                              "のいずれかです（「job」は使えません）"),
    ("threshold: 100\nweights: {}", "ルールセットに不明な項目があります：weights"),
    ("- just\n- a list", "ルールセットのファイルは、name・threshold・points などの項目を持つ形式にしてください"),
    ("name: [unclosed", "YAML または JSON として正しくありません（1 行目、16 文字目）："),
    ("points: [1, 2]", "ルールセットの points は「名前: 値」の形にしてください"),
])
def test_rule_file_errors_in_japanese(text, japanese):
    with pytest.raises(RuleSetError) as raised:
        parse_rules(text)
    assert localized(raised.value, "ja").startswith(japanese)


def test_rule_store_errors_in_japanese(empty_db):
    with pytest.raises(RuleSetError) as raised:
        save_rule_set(empty_db, DEFAULT_RULES)
    assert localized(raised.value, "ja") == "「Guide default」は組み込みのルールセットです。別の名前で保存してください"
    with pytest.raises(RuleSetError) as raised:
        load_rule_set(empty_db, "なし")
    assert localized(raised.value, "ja") == "「なし」という名前のルールセットはありません"
    with pytest.raises(MappingError) as raised:
        save_mapping(empty_db, "  ", ["a"], "generic", {})
    assert localized(raised.value, "ja") == "対応付けを保存するには名前を入力してください"


@pytest.mark.parametrize(("bad", "japanese"), [
    ({"deadline_hours": 0}, "初回対応の期限は0時間より長く、2,160 時間以内にしてください"),
    ({"business_hours": True, "working_days": ()}, "営業時間で数えるには、営業日を1日以上選んでください"),
    ({"business_hours": True, "day_end": time(8)}, "終業時刻は始業時刻より後にしてください"),
    ({"holiday_country": "XX"}, "国コード「XX」の祝日カレンダーはありません"),
    ({"timezone": "Mars/Base"}, "不明なタイムゾーンです：Mars/Base"),
    ({"touch_types": ()}, "営業対応とみなす活動を1つ以上選んでください"),
    ({"feedback_days": 0}, "フィードバックなしを一覧にするまでの日数は1日以上にしてください"),
    ({"handover": "sql"}, "引き渡しの時点は MQL か SAL にしてください"),
])
def test_sla_policy_errors_in_japanese(bad, japanese):
    with pytest.raises(PolicyError) as raised:
        SlaPolicy(**bad)
    assert localized(raised.value, "ja") == japanese


def test_learning_errors_in_japanese():
    with pytest.raises(NotEnoughHistory) as raised:
        suggest_points(synthetic_history(leads=8), DEFAULT_RULES)
    assert localized(raised.value, "ja").startswith("学習用（古い方）のリードには、SQLに到達したリードが5件以上")
    assert "at least 5 leads that reached SQL" in str(raised.value)


def test_errors_are_english_in_str_and_follow_the_session_in_localized():
    error = PolicyError("sla.error.day_order")
    set_language("ja")
    try:
        assert str(error) == "the working day must end after it starts"  # logs and the CLI
        assert localized(error) == "終業時刻は始業時刻より後にしてください"  # the page, in the session's language
        assert localized(Message("import.not_a_date")) == "日付・日時として読み取れません"
    finally:
        set_language("en")
    assert localized(error) == "the working day must end after it starts"
    assert localized(OSError("disk full")) == "disk full"  # errors from outside the package as they are
    assert (error.key, error.params) == ("sla.error.day_order", {})
    again = copy.deepcopy(error)
    assert isinstance(again, PolicyError) and again.message == error.message and str(again) == str(error)


def test_an_unknown_key_fails_where_it_is_raised():
    with pytest.raises(KeyError, match=r"no message 'rules\.nonsense'"):
        RuleSetError("rules.nonsense")
    assert issubclass(RuleSetError, LocalizedError) and issubclass(RuleSetError, ValueError)
