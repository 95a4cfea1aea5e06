"""The images a user adds to a CLIP search gallery, read safely from image files and zip archives.

    reader = UploadReader(room=min(options.UPLOAD_IMAGES, options.SESSION_IMAGES - len(gallery)))
    for name, image in reader.images(paths):     # paths: the uploaded files, on the server
        gallery.add(name, image)                 # one upright RGB PIL image at a time
    notice = reader.summary()                    # "Added 37 images. Skipped 3: notes.txt (not an image); ..."

An upload is untrusted, and a zip doubly so: its listing may be huge, its members may claim to be
small and expand to gigabytes, their names may point outside any folder. So an archive is refused
unopened when it lists too much, each member is checked from its header before a byte is
decompressed, at most one picture's worth of bytes is ever read from a member, and members are
written under a generated name, never their own. Nothing here raises for a bad file: each one
becomes a "name: reason" line in `skipped`.

Pure Python + Pillow: no UI import.
"""

from __future__ import annotations

import contextlib
import lzma
import os
import re
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from PIL import Image

from demos.clip import options
from shared.limits import LimitError
from shared.pictures import open_picture

NAME_CHARS = 80  # a longer display name keeps its end (the file name) behind an ellipsis
LISTED_SKIPS = 8  # the summary names this many skipped files, then counts the rest
NESTED = "a nested archive is not opened"
# Local file header, empty archive, spanned archive: a member starting so is a zip whatever its name
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
# What a broken member can raise while it is decompressed: a bad CRC or header, an encrypted or
# truncated stream, an unsupported method (NotImplementedError), a corrupt deflate or xz stream
MEMBER_ERRORS = (zipfile.BadZipFile, RuntimeError, OSError, EOFError, NotImplementedError, zlib.error,
                 lzma.LZMAError)
CHUNK = 2**20
# Short reasons for open_picture's sentences; anything else keeps its first clause
SHORT = (("not an image", "not an image"), ("damaged or cut short", "damaged or cut short"),
         ("is empty", "empty file"), ("could not be found", "missing on the server"),
         ("more memory", "too large to decode"), ("claims more than", "too many pixels"))


@contextlib.contextmanager
def saved_uploads(files: Iterable[tuple[str, bytes]]) -> Iterator[list[str]]:
    """Uploads a front end holds in memory (name, bytes), written to a fresh temporary folder for
    UploadReader, which reads paths: each under its own base name (the name the user sees in the
    summary) in its own sub-folder, so two 'image.png' do not collide and no name can point
    elsewhere. The folder is removed when the block ends."""
    with tempfile.TemporaryDirectory(prefix="clip-upload-") as folder:
        paths = []
        for i, (name, data) in enumerate(files):
            base = os.path.basename(str(name).replace("\\", "/")).replace("\0", "")
            if base in ("", ".", ".."):
                base = "upload"
            stem, ext = os.path.splitext(base)
            if len(base.encode()) > 200:  # file systems refuse names past 255 bytes
                base = stem[:100] + ext[:20]
            os.mkdir(os.path.join(folder, str(i)))
            path = os.path.join(folder, str(i), base)
            with open(path, "wb") as out:
                out.write(data)
            paths.append(path)
        yield paths


@dataclass
class UploadReader:
    room: int = options.UPLOAD_IMAGES  # at most this many images are yielded
    added: int = 0
    skipped: list[str] = field(default_factory=list)  # one "name: reason" line per skipped file or member
    _notes: list[tuple[str, str]] = field(default_factory=list, init=False, repr=False)
    _left_out: bool = field(default=False, init=False, repr=False)

    def images(self, paths: Sequence[str | None]) -> Iterator[tuple[str, Image.Image]]:
        """Yield (display name, upright RGB PIL image) for every readable image in the files and
        zips, in order; stops after `room` images (and notes that the rest were left out)."""
        for path in [paths] if isinstance(paths, str) else paths:
            if not path:  # an emptied upload slot
                continue
            if self._full():
                return
            if _is_zip(path):
                yield from self._archive(path)
            else:
                yield from self._file(path)

    def summary(self) -> str:
        """One short paragraph for the user: how many were added, which were skipped and why."""
        text = f"Added {_count(self.added, 'image')}."
        if self._notes:
            listed = "; ".join(f"{name} ({reason})" for name, reason in self._notes[:LISTED_SKIPS])
            more = len(self._notes) - LISTED_SKIPS
            text += f" Skipped {len(self._notes):,}: {listed}" + (f"; and {more:,} more." if more > 0 else ".")
        if self._left_out:
            text += f" The rest were left out: {_takes(self.room)}."
        return text

    # ---- the work ----

    def _skip(self, name: str, reason: str) -> None:
        self._notes.append((name, reason))
        self.skipped.append(f"{name}: {reason}")

    def _full(self) -> bool:
        """True once `room` images were yielded; the first time, note that the rest were left out."""
        if self.added < self.room:
            return False
        if not self._left_out:
            self._left_out = True
            self.skipped.append(f"left out: the rest ({_takes(self.room)})")
        return True

    def _file(self, path: str) -> Iterator[tuple[str, Image.Image]]:
        name = _display(os.path.basename(path))
        extension = os.path.splitext(path)[1].lower()
        if extension == ".zip":  # is_zipfile said no
            return self._skip(name, "a damaged zip archive")
        if extension in options.NESTED_ARCHIVES:
            return self._skip(name, "only zip archives are opened")
        try:
            image = open_picture(path, options.PICTURE)
        except LimitError as error:
            return self._skip(name, _short(str(error)))
        self.added += 1
        yield name, _rgb(image)

    def _archive(self, path: str) -> Iterator[tuple[str, Image.Image]]:
        archive = _display(os.path.basename(path))
        listed = _declared_entries(path)
        if listed is not None and listed > options.ZIP_ENTRIES:  # before ZipFile reads a huge listing
            return self._skip(archive, _too_many(listed))
        try:
            with zipfile.ZipFile(path) as zf, tempfile.TemporaryDirectory(prefix="clip-upload-") as folder:
                members = zf.infolist()
                if len(members) > options.ZIP_ENTRIES:
                    return self._skip(archive, _too_many(len(members)))
                total = sum(member.file_size for member in members)
                if total > options.ZIP_TOTAL_BYTES:
                    return self._skip(archive, f"claims {_mb(total)} unpacked; the limit is "
                                               f"{_mb(options.ZIP_TOTAL_BYTES)} (not opened)")
                scratch = os.path.join(folder, "member")  # generated: a member's own name is never a path
                for member in members:
                    if member.is_dir() or _is_clutter(member.filename):
                        continue
                    if self._full():
                        return
                    name = _display(f"{archive}/{member.orig_filename}")
                    reason = _refusal(member)
                    if reason is None:
                        try:
                            reason, image = _read_member(zf, member, scratch)
                        except NotImplementedError:  # zipfile lacks the method (AES, zstd on older Pythons...)
                            reason = "an unsupported compression method"
                        except MEMBER_ERRORS:
                            reason = "damaged in the archive"
                        finally:
                            if os.path.exists(scratch):
                                os.remove(scratch)
                    if reason is not None:
                        self._skip(name, reason)
                        continue
                    self.added += 1
                    yield name, image
        except MEMBER_ERRORS:  # the listing itself is unreadable
            self._skip(archive, "a damaged zip archive")


def _refusal(member: zipfile.ZipInfo) -> str | None:
    """Why a member is skipped from its header alone, before anything is decompressed; None to read it."""
    if _unsafe(member.orig_filename):
        return "unsafe name"
    if os.path.splitext(member.filename)[1].lower() in options.NESTED_ARCHIVES:
        return NESTED
    if member.flag_bits & 0x1:
        return "encrypted"
    if member.file_size > options.PICTURE.max_bytes:
        return f"{_mb(member.file_size)}; the limit is {_mb(options.PICTURE.max_bytes)}"
    ratio = member.file_size / max(member.compress_size, 1)
    if ratio > options.ZIP_RATIO:
        return f"compressed {ratio:,.0f} times: a decompression bomb"
    return None


def _read_member(zf: zipfile.ZipFile, member: zipfile.ZipInfo, scratch: str) -> tuple[str | None, Image.Image | None]:
    """(None, image) or (reason, None). Reads at most PICTURE.max_bytes + 1 bytes, whatever the
    header says, into `scratch`, and opens that."""
    limit = options.PICTURE.max_bytes
    written = 0
    with zf.open(member) as stream, open(scratch, "wb") as out:
        while written <= limit:
            chunk = stream.read(min(CHUNK, limit + 1 - written))
            if not chunk:
                break
            if written == 0 and chunk.startswith(ZIP_MAGIC):
                return NESTED, None
            out.write(chunk)
            written += len(chunk)
    if written > limit:  # the header understated the size
        return f"over the {_mb(limit)} limit, more than its header says", None
    try:
        image = _rgb(open_picture(scratch, options.PICTURE))  # decoded now, so the scratch file can go
    except LimitError as error:
        return _short(str(error)), None
    return None, image


def _declared_entries(path: str) -> int | None:
    """The entry count the archive's end record claims, read without loading its listing (which
    costs memory per entry). zipfile._EndRecData is private but unchanged since Python 2; should it
    go, the count after opening still applies."""
    try:
        with open(path, "rb") as f:
            end = zipfile._EndRecData(f)
        return int(end[zipfile._ECD_ENTRIES_TOTAL]) if end else None
    except Exception:  # noqa: BLE001 (a hint only: ZipFile itself reports a broken archive)
        return None


def _is_zip(path: str) -> bool:
    try:
        return zipfile.is_zipfile(path)
    except ValueError:  # a path with NUL in it: open_picture reports it missing
        return False


def _rgb(image: Image.Image) -> Image.Image:
    """RGB with its pixels decoded (open_picture's already are: this costs nothing then)."""
    image = image if image.mode == "RGB" else image.convert("RGB")
    image.load()
    return image


def _unsafe(name: str) -> bool:
    """A name that would escape a folder if anyone extracted by it: absolute, a drive, '..', NUL.
    We never do, but such an archive was made to attack something, and its members are dropped."""
    parts = re.split(r"[\\/]", name)
    return (name.startswith(("/", "\\")) or "\0" in name or re.match(r"[A-Za-z]:", name) is not None
            or ".." in parts)


def _is_clutter(name: str) -> bool:
    """What macOS and Windows add to a zipped folder: metadata, never pictures; not worth a line."""
    base = name.rsplit("/", 1)[-1]
    return name.startswith("__MACOSX/") or base.startswith("._") or base in (".DS_Store", "Thumbs.db")


def _display(name: str) -> str:
    """The name as it may be shown: control and format characters (newlines, terminal escapes,
    right-to-left overrides) become '?', and a long name keeps its end."""
    clean = "".join("?" if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in name)
    return clean if len(clean) <= NAME_CHARS else "…" + clean[-(NAME_CHARS - 1):]


def _short(message: str) -> str:
    """open_picture's sentence cut to a reason: 'not an image', '25 MB; the limit is 20 MB'..."""
    for key, reason in SHORT:
        if key in message:
            return reason
    first = message.split(". ")[0].rstrip(".")
    return re.sub(r"^The \w+ (file )?is ", "", first)


def _too_many(entries: int) -> str:
    return f"lists {entries:,} entries; the limit is {options.ZIP_ENTRIES:,} (not opened)"


def _mb(size: int) -> str:
    return f"{size / 2**20:,.1f}".removesuffix(".0") + " MB"


def _takes(room: int) -> str:
    if room <= 0:
        return "this gallery takes no more images"
    return f"this gallery takes at most {_count(room, 'more image')}"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s") if n else f"no {noun}s"
