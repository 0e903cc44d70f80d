"""Same story or same template (bot.ingest.story) on small texts: wire notices filled in again are not
flagged though they share most of their wording, a story retold by other outlets is, and so is the seeds'
translation pair."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

from bot.core import Dossier
from bot.ingest import neardup
from bot.ingest.neardup import RULE_KEY
from bot.ingest.prepare import prepare_text
from bot.ingest.story import (
    NEAR_DUP_THRESHOLD,
    SKELETON_SHARE,
    StoryText,
    headline_subject,
    ochiai,
    same_story,
    same_subject,
    story_groups,
    story_text,
)
from tests.test_neardup import seed_texts

ACME = """ACME TOOL WORKS <ACM> SETS QUARTERLY DIVIDEND
2024-03-04

Acme Tool Works Inc said its board declared a quarterly dividend of 25 cts per share, payable April 15 to \
holders of record March 29. The company paid 22 cts a share in the prior quarter.
"""
BLUE_RIVER = """BLUE RIVER FOODS <BRF> SETS QUARTERLY DIVIDEND
2024-03-05

Blue River Foods Corp said its board declared a quarterly dividend of 18 cts per share, payable April 20 to \
holders of record April 2. The company paid 18 cts a share in the prior quarter.
"""
DOCKS = [
    """Harbour workers strike in Rotterdam
2024-05-14

Dock workers at the port of Rotterdam walked out on Tuesday over pay, halting container traffic at the \
Maasvlakte terminals, the FNV union said. About 1,200 workers joined the strike, which the union said would \
last 48 hours. Port operator Hutchison Ports said ships were being diverted to Antwerp.
""",
    """Rotterdam dockers walk out over pay
2024-05-14

Dock workers at the port of Rotterdam walked out on Tuesday over pay, the FNV union said, halting container \
traffic at the Maasvlakte terminals. Some 1,200 workers joined the 48-hour strike. Hutchison Ports, which \
runs the terminals, said ships were being diverted to Antwerp and Hamburg.
""",
    """Strike halts Rotterdam container terminals
2024-05-15

A strike by about 1,200 dock workers at the port of Rotterdam halted container traffic at the Maasvlakte \
terminals on Tuesday, the FNV union said. The walkout over pay will last 48 hours, the union said. \
Hutchison Ports said ships were being diverted to Antwerp.
""",
]


def read(text: str) -> tuple[bytes, StoryText]:
    p = prepare_text("doc.txt", text)
    return neardup.signature(p.text), story_text(p.text, p.published, p.title)


def test_a_wire_template_filled_in_again_is_not_the_same_story() -> None:
    (sig_a, a), (sig_b, b) = read(ACME), read(BLUE_RIVER)
    assert neardup.similarity(sig_a, sig_b) >= 0.4  # the wording test alone flagged them
    assert same_story(a, b) is None  # other company, other figures: the skeleton is all they share


def test_a_story_retold_by_other_outlets_is_the_same_story() -> None:
    read_ = [read(t) for t in DOCKS]
    for (sig_a, a), (sig_b, b) in itertools.combinations(read_, 2):
        assert neardup.similarity(sig_a, sig_b) >= NEAR_DUP_THRESHOLD
        share = same_story(a, b)
        assert share is not None and share >= NEAR_DUP_THRESHOLD
    assert same_story(read_[0][1], read(ACME)[1]) is None


def test_the_seeds_translation_pair_stays_flagged_and_no_other_seed_pair_is() -> None:
    texts = {
        name: story_text(text, prepare_text(name, text).published) for name, text in seed_texts().items()
    }
    share = same_story(texts["000"], texts["001"])
    assert share is not None and 0.12 < share < 0.16  # 0.137 of the wording: one interview, two translations
    for a, b in itertools.combinations(sorted(texts), 2):
        if (a, b) != ("000", "001"):
            assert same_story(texts[a], texts[b]) is None, (a, b)


def test_the_same_report_days_apart_is_another_event() -> None:
    _, a = read(DOCKS[0])
    assert a.published is not None
    later = StoryText(a.shingles, a.skeleton, a.published + timedelta(days=10))
    next_day = StoryText(a.shingles, a.skeleton, a.published + timedelta(days=1))
    undated = StoryText(a.shingles, a.skeleton, None)
    assert same_story(a, later) is None
    assert same_story(a, next_day) == same_story(a, undated) == 1.0


def test_story_groups_link_versions_and_keep_templates_apart() -> None:
    texts = {1: read(ACME)[1], 2: read(DOCKS[0])[1], 3: read(BLUE_RIVER)[1], 4: read(DOCKS[1])[1]}
    texts[5] = read(DOCKS[2])[1]
    assert story_groups(texts) == [[1], [2, 4, 5], [3]]
    assert story_groups({}) == []


def test_ingest_flags_the_retold_story_not_the_template(dossier: Dossier, tmp_path: Path) -> None:
    folder = tmp_path / "wire"
    folder.mkdir()
    for name, text in [("1_acme", ACME), ("2_blue", BLUE_RIVER), ("3_dock", DOCKS[0])]:
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    (folder / "4_dock.txt").write_text(DOCKS[1], encoding="utf-8")
    (folder / "5_dock.txt").write_text(DOCKS[2], encoding="utf-8")
    report = dossier.ingest_paths([folder], added_by="test")
    out = {o.source.split("/")[-1]: o for o in report.outcomes}
    assert all(o.status == "added" for o in out.values())
    assert out["2_blue.txt"].similar_to is None  # the notice before it is a template, not its story
    first = out["3_dock.txt"].doc_id
    assert out["4_dock.txt"].similar_to == first and out["5_dock.txt"].similar_to == first
    assert out["5_dock.txt"].similarity == 0.389  # the exact share of wording, not the estimate
    assert report.near_duplicates == 2


FLASH = """FIREMAN'S FUND CORP 3RD QTR NET SHR 3.71 DLRS VS 9 CTS
2024-10-20

FIREMAN'S FUND CORP 3RD QTR NET SHR 3.71 DLRS VS 9 CTS
"""
TABLE = """FIREMAN'S FUND CORP <FFC> 3RD QTR NET
2024-10-20

Shr 3.71 dlrs vs nine cts
Net 226.4 mln vs 5.8 mln
Revs 1.01 billion vs 978.2 mln
Nine mths
Shr 6.50 dlrs vs 1.21 dlrs
Net 400.2 mln vs 80.2 mln
Revs 3.02 billion vs 2.88 billion
NOTE: Fireman's Fund Corp's third quarter net includes a gain of 80 mln dlrs from the sale of its stake.
"""
OTHER_TABLE = """HOMETOWN BANCORP INC <HTWN.O> 3RD QTR NET
2024-10-20

Shr 1.12 dlrs vs 98 cts
Net 2.1 mln vs 1.9 mln
Nine mths
Shr 3.05 dlrs vs 2.71 dlrs
Net 5.8 mln vs 5.2 mln
NOTE: Hometown Bancorp Inc's third quarter net includes a gain of 1.1 mln dlrs from the sale of a branch.
"""


def test_a_flash_and_its_table_the_same_day_are_one_story() -> None:
    """The flash shares few of the table's shingles (it has few words, the table many figures), but the
    headlines name one company and the two came out the same day."""
    _, flash = read(FLASH)
    _, table = read(TABLE)
    _, other = read(OTHER_TABLE)
    assert flash.subject == ("fireman's", "fund", "3rd") and table.subject == ("fireman's", "fund")
    share = same_story(flash, table)
    assert share is not None  # by the subject test: the skeleton alone would call it a template
    assert share < SKELETON_SHARE * ochiai(flash.skeleton, table.skeleton)
    assert same_story(table, other) is None  # same day, same template, another company
    assert same_story(flash, other) is None
    assert flash.published is not None
    day_after = StoryText(
        flash.shingles, flash.skeleton, flash.published + timedelta(days=1), flash.subject, flash.headline
    )
    assert same_story(day_after, table) is None  # the next day's flash is the next quarter's news


def test_headline_subjects() -> None:
    assert headline_subject("<XYLOGICS INC> INITIAL OFFERING UNDERWAY")[0] == ("xylogics",)
    assert headline_subject("UNICORP <UAC> POSTS GAIN ON PROPERTY SALE") == (
        ("unicorp",),
        ("unicorp", "posts", "gain", "on", "property", "sale"),
    )
    assert headline_subject("ST LOUIS HOGS OPEN UP 1.00 DLR")[0] == ("st", "louis", "hogs")
    assert headline_subject("") == ((), ())
    vms = [story_text("x", None, t) for t in ("VMS MORTGAGE <VMLPZ> DIV", "VMS MORTGAGE <VMTGZ> DIV")]
    assert vms[0].tickers == {"VMLPZ"} and vms[0].subject == vms[1].subject
    assert not same_subject(vms[0], vms[1])  # two funds of one name


def test_corpus_folder_documents_are_judged_when_their_signatures_are_filled_in(
    corpus_dir: Path, data_dir: Path
) -> None:
    for name, text in [("1_acme", ACME), ("2_blue", BLUE_RIVER), ("3_dock", DOCKS[0]), ("4_dock", DOCKS[1])]:
        (corpus_dir / f"{name}.txt").write_text(text, encoding="utf-8")
    dossier = Dossier.open(data_dir)
    try:
        dossier.scan_corpus(corpus_dir)
        assert dossier.store.count_near_duplicates() == 0  # stored without signatures
        assert dossier.prepare_near_duplicates() == 5 + 4  # the five seeds and these
        # The seeds' translation pair and the retold dock strike: what an upload of them would report.
        assert dossier.store.count_near_duplicates() == 2
        assert dossier.near_duplicates_current()
    finally:
        dossier.close()


def test_flags_of_an_older_rule_are_judged_again_once(dossier: Dossier, tmp_path: Path) -> None:
    folder = tmp_path / "wire"
    folder.mkdir()
    for name, text in [("1_acme", ACME), ("2_blue", BLUE_RIVER), ("3_dock", DOCKS[0]), ("4_dock", DOCKS[1])]:
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    out = {o.source.split("/")[-1]: o for o in dossier.ingest_paths([folder], added_by="test").outcomes}
    acme, blue = out["1_acme.txt"].doc_id, out["2_blue.txt"].doc_id
    assert acme is not None and blue is not None and out["4_dock.txt"].similar_to is not None
    flagged = dossier.store.count_near_duplicates()
    # As the old rule (wording alone) left it: the second dividend notice flagged beside the first.
    with dossier.store.transaction() as tx:
        dossier.store.set_signature(tx, blue, neardup.signature(BLUE_RIVER), acme, 0.45)
        dossier.store.set_meta(tx, RULE_KEY, "1")
    assert dossier.store.count_near_duplicates() == flagged + 1
    assert not dossier.near_duplicates_current()
    dossier.prepare_near_duplicates()
    assert dossier.store.count_near_duplicates() == flagged  # the template's flag is gone, the story's kept
    assert dossier.near_duplicates_current()
