""".zip archives, untrusted: every member on its own, so one bad file does not hide the others.

Sizes, member counts and compression ratios are checked against ``Limits`` from the headers and again
while reading, and nothing is ever written to disk, so a member's name is only a label and a name such as
``../../etc/passwd`` cannot escape anywhere (it is still reported and left out). Each member's bytes go
back to ``bot.ingest.formats.extract``, which reads them like a file of their own.
"""

from __future__ import annotations

import re
import stat
import zipfile

from bot.i18n import Bytes
from bot.ingest.formats.detect import Limits, Skipped, open_zip
from bot.ingest.prepare import IngestError
from bot.messages import Coded

# The ratio test starts above this size: small files of repeated characters compress far beyond 100:1
# and are harmless, since the size limits hold them anyway.
_RATIO_MIN_BYTES = 1024 * 1024
Member = tuple[str, str, bytes]  # a member to read: its label (``archive.zip/folder/name``), name, bytes


def unpack(name: str, data: bytes, limits: Limits) -> list[Skipped | Member]:
    """Every member on its own, one level deep: its bytes to read, or why it was left out. The archive as
    a whole is refused when it is damaged or its headers already promise more than the limits allow; each
    member is then cut off at the size its header declared, so what is unpacked in total never exceeds the
    declared total either."""
    archive = open_zip(data, "ingest.zip_unreadable")
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise IngestError("ingest.zip_members", n=len(infos), limit=limits.max_members)
    declared = sum(info.file_size for info in infos)
    if declared > limits.max_total_bytes:
        raise IngestError("ingest.zip_total", size=Bytes(declared), limit=Bytes(limits.max_total_bytes))
    outcomes: list[Skipped | Member] = []
    for info in infos:
        member = member_name(info)
        source = f"{name}/{_printable(member)}"
        if _is_unsafe(member):
            outcomes.append(Skipped(source, Coded("ingest.unsafe_path")))
            continue
        if info.is_dir() or _is_junk(member):
            continue
        if _is_link(info):
            outcomes.append(Skipped(source, Coded("ingest.symlink")))
            continue
        try:
            content = read_member(archive, info, limits)
        except IngestError as exc:
            outcomes.append(Skipped(source, exc.reason))
            continue
        outcomes.append((source, member, content))
    if not outcomes:
        raise IngestError("ingest.zip_no_files")
    return outcomes


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> bytes:
    """A member's bytes, refused on its declared size or ratio and cut off when it unpacks to more than
    it declared (``zipfile`` also stops there and then fails the checksum)."""
    if info.flag_bits & 0x1:
        raise IngestError("ingest.member_encrypted")
    if info.file_size > limits.max_file_bytes:
        raise IngestError("ingest.too_big", size=Bytes(info.file_size), limit=Bytes(limits.max_file_bytes))
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > _RATIO_MIN_BYTES and ratio > limits.max_ratio:
        raise IngestError("ingest.zip_bomb", ratio=f"{ratio:.0f}")
    cap = info.file_size
    chunks: list[bytes] = []
    read = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(256 * 1024):
                read += len(chunk)
                if read > cap:
                    raise IngestError("ingest.member_overflow")
                chunks.append(chunk)
    except IngestError:
        raise
    except NotImplementedError:
        raise IngestError("ingest.member_method") from None
    except Exception as exc:  # BadZipFile (checksum), zlib.error, EOFError, …: all mean a damaged member
        raise IngestError("ingest.member_damaged") from exc
    return b"".join(chunks)


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author wrote it. Names flagged UTF-8 are; others are decoded by
    ``zipfile`` as cp437, the zip standard's default, but Windows archivers write the system's OEM code
    page (cp866 in Russia) and many tools write UTF-8 without the flag, so the raw bytes are re-read: a
    valid UTF-8 name is taken as UTF-8, else whichever of cp866 and cp437 reads more like words."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # cp866 first: on a tie (capitals only, which both code pages read as letters) Russian is likelier here
    return max((raw.decode("cp866"), info.filename), key=_name_plausibility)


_LATIN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") | frozenset(
    chr(c) for c in range(0xC0, 0x100) if chr(c).isalpha()
)
_WORD_RE = re.compile(r"[^\W\d_]+")


def _name_plausibility(name: str) -> int:
    """Letters count for; symbols, and words mixing Latin with another script, count against: "Отчёт"
    read as cp437 is "ÄΓτÑæΓ", and "Über" read as cp866 is "Ъber"."""
    letters = sum(ch.isalpha() for ch in name)
    symbols = sum(not (ch.isalnum() or ch in " ._-()[]/") for ch in name)
    mixed = 0
    for word in _WORD_RE.findall(name):
        latin = sum(ch in _LATIN for ch in word)
        mixed += 0 < latin < len(word)
    return letters - 2 * symbols - 3 * mixed


def _is_unsafe(member: str) -> bool:
    """Absolute, drive-letter or parent-directory names: harmless here, since nothing is written to
    disk, but a sign of a malicious archive, so the member is reported and left out."""
    if member.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", member):
        return True
    return ".." in re.split(r"[/\\]", member)


def _is_link(info: zipfile.ZipInfo) -> bool:
    """A symbolic link stored by a Unix zip (``zip -y``): its bytes are the path it points to, not a
    document, so it would be stored as one whose text is that path."""
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def _is_junk(member: str) -> bool:
    """macOS resource forks, dotfiles and Windows thumbnails: never documents, never reported."""
    parts = [p for p in member.split("/") if p]
    if not parts or parts[0] == "__MACOSX":
        return True
    return any(p.startswith(".") for p in parts) or parts[-1].lower() in ("thumbs.db", "desktop.ini")


def _printable(member: str) -> str:
    """The name without control characters, safe to show in a chat."""
    return "".join(ch if ch.isprintable() else "?" for ch in member)
