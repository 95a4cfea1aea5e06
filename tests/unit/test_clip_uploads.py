"""A user's images for the CLIP gallery: plain files and zips are read one image at a time; anything
unsafe (traversal names, nested archives, bombs, huge listings) or unreadable becomes a short
"name: reason" line instead of an exception."""

import io
import struct
import tempfile
import zipfile

import numpy as np
import pytest
from PIL import Image

from demos.clip import options, uploads
from demos.clip.uploads import UploadReader


def png(mode: str = "RGB", size: tuple[int, int] = (16, 16), noise: bool = False) -> bytes:
    if noise:  # incompressible, so a cut file loses pixel data, not only its end
        image = Image.fromarray(np.random.default_rng(0).integers(0, 256, (*size[::-1], 3), np.uint8))
    elif mode == "I;16":
        image = Image.fromarray(np.full(size[::-1], 40_000, np.uint16), "I;16")
    else:
        image = Image.new(mode, size)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def write(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def zipped(tmp_path, name: str, members: list[tuple[str, bytes]], method: int = zipfile.ZIP_STORED) -> str:
    """A zip written with the members' names exactly as given (writestr does not clean them)."""
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", method) as zf:
        for member, data in members:
            zf.writestr(member, data)
    return str(path)


def read(paths, **kwargs) -> tuple[list[str], UploadReader]:
    reader = UploadReader(**kwargs)
    names = []
    for name, image in reader.images(paths):
        assert image.mode == "RGB"
        names.append(name)
    return names, reader


def test_plain_images_and_a_text_file(tmp_path):
    jpeg = io.BytesIO()
    Image.new("RGB", (20, 10), (255, 0, 0)).save(jpeg, format="JPEG")
    paths = [write(tmp_path, "a.png", png()), None, write(tmp_path, "notes.txt", b"hello"), "",
             write(tmp_path, "b.jpg", jpeg.getvalue())]
    names, reader = read(paths)
    assert names == ["a.png", "b.jpg"]
    assert reader.added == 2
    assert reader.skipped == ["notes.txt: not an image"]
    assert reader.summary() == "Added 2 images. Skipped 1: notes.txt (not an image)."


def test_zip_with_folders_yields_its_images_in_order(tmp_path):
    archive = zipped(tmp_path, "photos.zip", [
        ("trip/", b""), ("trip/day1/", b""), ("trip/day1/a.png", png(size=(30, 20))), ("readme.txt", b"hi"),
        ("trip/b.png", png()), ("__MACOSX/trip/._b.png", b"\0\5\26\7"), ("trip/.DS_Store", b"\0\0\0\1Bud1"),
    ], zipfile.ZIP_DEFLATED)
    reader = UploadReader()
    got = [(name, image.size) for name, image in reader.images([archive])]
    assert got == [("photos.zip/trip/day1/a.png", (30, 20)), ("photos.zip/trip/b.png", (16, 16))]
    assert reader.skipped == ["photos.zip/readme.txt: not an image"]  # folders and macOS clutter: silent


def test_nested_archives_are_not_opened_by_name_or_by_content(tmp_path):
    inner = (tmp_path / "inner.zip")
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("hidden.png", png())
    outer = zipped(tmp_path, "outer.zip", [
        ("inner.zip", inner.read_bytes()), ("sneaky.png", inner.read_bytes()), ("more.tar.gz", b"\x1f\x8b..."),
        ("ok.png", png()),
    ])
    other = [write(tmp_path, "pics.tar", b"x" * 600), write(tmp_path, "broken.zip", b"PK\3\4 not really")]
    names, reader = read([outer, *other])
    assert names == ["outer.zip/ok.png"]
    assert reader.skipped == [
        "outer.zip/inner.zip: a nested archive is not opened",
        "outer.zip/sneaky.png: a nested archive is not opened",
        "outer.zip/more.tar.gz: a nested archive is not opened",
        "pics.tar: only zip archives are opened",
        "broken.zip: a damaged zip archive",
    ]


def test_traversal_names_are_skipped_and_nothing_is_written_by_them(tmp_path, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # the reader's temporary folders go here
    work = tmp_path / "work"
    work.mkdir()
    archive = zipped(work, "evil.zip", [
        ("../evil.png", png()), ("/abs.png", png()), ("a/../../evil.png", png()), ("..\\evil.png", png()),
        ("C:\\evil.png", png()), ("fine/ok.png", png()),
    ])
    names, reader = read([archive])
    assert names == ["evil.zip/fine/ok.png"]
    assert reader.skipped == [f"evil.zip/{name}: unsafe name" for name in
                              ("../evil.png", "/abs.png", "a/../../evil.png", "..\\evil.png", "C:\\evil.png")]
    assert list(scratch.iterdir()) == []  # the temporary folder is gone
    written = [p for p in tmp_path.parent.rglob("*") if "evil" in p.name and p.name != "evil.zip"]
    assert written == [] and not (tmp_path.parent.parent / "evil.png").exists()


def test_decompression_bomb_and_oversized_members_are_refused_from_their_headers(tmp_path):
    archive = zipped(tmp_path, "bomb.zip", [
        ("zeros.bmp", bytes(10 * 2**20)), ("huge.bmp", bytes(50 * 2**20)), ("ok.png", png()),
    ], zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(archive) as zf:
        zeros = zf.getinfo("zeros.bmp")
    ratio = zeros.file_size / zeros.compress_size
    assert ratio > 500 and zeros.compress_size < 50_000  # a real bomb in miniature
    names, reader = read([archive])
    assert names == ["bomb.zip/ok.png"]
    assert reader.skipped == [f"bomb.zip/zeros.bmp: compressed {ratio:,.0f} times: a decompression bomb",
                              "bomb.zip/huge.bmp: 50 MB; the limit is 20 MB"]


def test_archive_claiming_too_much_is_refused_unopened(tmp_path, monkeypatch):
    members = [(f"n{i}.png", png()) for i in range(60)]
    many = zipped(tmp_path, "many.zip", members)
    big = zipped(tmp_path, "big.zip", [("zeros.bmp", bytes(3 * 2**20)), ("ok.png", png())], zipfile.ZIP_DEFLATED)
    monkeypatch.setattr(options, "ZIP_ENTRIES", 50)
    monkeypatch.setattr(options, "ZIP_TOTAL_BYTES", 2**20)
    opened = []
    real = uploads.zipfile.ZipFile
    monkeypatch.setattr(uploads.zipfile, "ZipFile", lambda *a, **k: opened.append(a[0]) or real(*a, **k))
    names, reader = read([many, big])
    assert names == []
    assert reader.skipped == ["many.zip: lists 60 entries; the limit is 50 (not opened)",
                              "big.zip: claims 3 MB unpacked; the limit is 1 MB (not opened)"]
    assert opened == [big]  # the long listing was counted from the end record, never loaded


def test_room_stops_the_upload_and_says_so(tmp_path):
    paths = [write(tmp_path, "a.png", png()), write(tmp_path, "b.png", png()),
             zipped(tmp_path, "z.zip", [("c.png", png()), ("d.png", png())]), write(tmp_path, "e.png", png())]
    reader = UploadReader(room=3)
    stream = reader.images(paths)
    assert next(stream)[0] == "a.png" and reader.added == 1  # one image at a time, not all decoded first
    assert [name for name, _ in stream] == ["b.png", "z.zip/c.png"]
    assert reader.added == 3
    assert reader.skipped == ["left out: the rest (this gallery takes at most 3 more images)"]
    assert reader.summary() == "Added 3 images. The rest were left out: this gallery takes at most 3 more images."
    names, full = read(paths, room=0)
    assert names == []
    assert full.summary() == "Added no images. The rest were left out: this gallery takes no more images."
    names, exact = read(paths[:2], room=2)  # nothing was left: no note
    assert names == ["a.png", "b.png"] and exact.skipped == []


def test_damaged_small_and_empty_images(tmp_path):
    whole = png(size=(64, 64), noise=True)
    cut = whole[: len(whole) // 2]
    paths = [write(tmp_path, "cut.png", cut), write(tmp_path, "tiny.png", png(size=(4, 4))),
             write(tmp_path, "empty.png", b""),
             zipped(tmp_path, "d.zip", [("cut.png", cut), ("empty.png", b""), ("ok.png", whole)])]
    names, reader = read(paths)
    assert names == ["d.zip/ok.png"]
    assert reader.skipped == ["cut.png: damaged or cut short",
                              "tiny.png: 4 x 4 pixels; it needs at least 8 on each side", "empty.png: empty file",
                              "d.zip/cut.png: damaged or cut short", "d.zip/empty.png: empty file"]


def test_grey_transparent_and_16_bit_images_come_back_rgb(tmp_path):
    kinds = ("L", "LA", "RGBA", "P", "I;16")
    paths = [write(tmp_path, f"{k.replace(';', '')}.png", png(k)) for k in kinds]
    paths.append(zipped(tmp_path, "modes.zip", [(f"{k.replace(';', '')}.png", png(k)) for k in kinds]))
    reader = UploadReader()
    got = {name: np.asarray(image) for name, image in reader.images(paths)}  # read() checks mode == "RGB"
    assert len(got) == 10 and reader.skipped == []
    assert all(image.mode == "RGB" for _, image in UploadReader().images(paths))
    assert int(got["I16.png"][0, 0, 0]) == round(40_000 / 65535 * 255)  # scaled, not clipped to white
    assert int(got["modes.zip/RGBA.png"][0, 0, 0]) == 255  # transparent black over the white background


def _patch_headers(path: str, local: dict[int, int], central: dict[int, int]) -> None:
    """Overwrite little-endian fields of a one-member zip: {offset: value} in the local header and
    in the central directory entry. Flags and method are 2 bytes (local 6, 8; central 8, 10), sizes 4."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    start = data.find(b"PK\1\2")
    for base, fields, short in ((0, local, (6, 8)), (start, central, (8, 10))):
        for offset, value in fields.items():
            struct.pack_into("<H" if offset in short else "<I", data, base + offset, value)
    with open(path, "wb") as f:
        f.write(bytes(data))


def test_encrypted_unsupported_and_lying_members(tmp_path):
    body = png(size=(64, 64), noise=True)
    secret = zipped(tmp_path, "secret.zip", [("s.png", body)])
    _patch_headers(secret, {6: 1}, {8: 1})  # the "encrypted" flag
    odd = zipped(tmp_path, "odd.zip", [("m.png", body)])
    _patch_headers(odd, {8: 99}, {10: 99})  # method 99 (WinZip AES): zipfile cannot read it
    liar = zipped(tmp_path, "liar.zip", [("l.png", body)])
    _patch_headers(liar, {18: 100, 22: 100}, {20: 100, 24: 100})  # claims 100 bytes: read no further
    names, reader = read([secret, odd, liar, zipped(tmp_path, "ok.zip", [("ok.png", body)])])
    assert names == ["ok.zip/ok.png"]
    assert reader.skipped == ["secret.zip/s.png: encrypted", "odd.zip/m.png: an unsupported compression method",
                              "liar.zip/l.png: damaged in the archive"]


def test_names_are_cleaned_and_shortened(tmp_path):
    long = "x" * 100 + ".txt"
    paths = [write(tmp_path, "bad\x1b[31mname.txt", b"?"),
             zipped(tmp_path, "n.zip", [("line\nbreak\u202etxt.png", b"?"), (long, b"?")])]
    names, reader = read(paths)
    assert reader.skipped == ["bad?[31mname.txt: not an image", "n.zip/line?break?txt.png: not an image",
                              f"…{('n.zip/' + long)[-79:]}: not an image"]
    assert len(reader.skipped[-1].split(":")[0]) == uploads.NAME_CHARS


def test_summary_lists_a_few_skipped_files_then_counts(tmp_path):
    paths = [write(tmp_path, "ok.png", png())] + [write(tmp_path, f"t{i:02}.txt", b"text") for i in range(11)]
    _, reader = read(paths)
    listed = "; ".join(f"t{i:02}.txt (not an image)" for i in range(8))
    assert reader.summary() == f"Added 1 image. Skipped 11: {listed}; and 3 more."
    assert len(reader.skipped) == 11


@pytest.mark.parametrize("name", ["../x.png", "/x.png", "a/../x.png", "C:x.png", "c:\\x.png", "\\\\host\\x.png",
                                  "a\0.png"])
def test_unsafe_names(name):
    assert uploads._unsafe(name)


@pytest.mark.parametrize("name", ["x.png", "a/b/x.png", "a..b.png", "..x.png", "dir/...png"])
def test_safe_names(name):
    assert not uploads._unsafe(name)
