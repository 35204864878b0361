"""Stream one member of a ``.7z`` archive as a read-only file object, without extracting it.

py7zr (pure Python, on PyPI) decompresses; it hands decompressed blocks to a ``Py7zIO`` writer
that a ``WriterFactory`` creates. Ours puts them on a small bounded queue that ``read`` drains,
with decompression on a background thread. Why stream rather than extract to a temporary folder:
Stack Overflow's ``Posts.xml`` is about 100 GB uncompressed, which would not fit on many disks,
whereas streaming holds at most the queue (``_QUEUE_SLICES`` slices of ``_SLICE`` bytes) plus the
block py7zr is writing (py7zr decompresses in blocks of up to 128 MB, or a quarter of the free
memory if that is less; see ``py7zr.properties.get_memory_limit``). The ``7z`` command-line
tool would be faster but is not a Python dependency that pip can install.

The consumer may stop early (a parse error, a closed generator): ``close`` sets a flag that makes
the writer raise inside py7zr, which ends the extraction, and joins the thread.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from types import TracebackType

from ..errors import ClojureDataError, InputError

__all__ = ["SevenZipMember", "list_members"]

_SLICE = 1 << 20
_QUEUE_SLICES = 8
_EOF = b""


class _Cancelled(Exception):
    """Raised inside py7zr's extraction when the reader went away."""


def _bad_archive(path: Path, exc: BaseException) -> InputError:
    return InputError(f"{path}: not a readable .7z archive ({type(exc).__name__}: {exc})")


def _require_py7zr() -> None:
    try:
        import py7zr  # noqa: F401
    except ImportError as exc:
        raise ClojureDataError(
            "reading .7z archives needs py7zr: pip install py7zr (or extract them)"
        ) from exc


def list_members(path: Path) -> list[str]:
    """The file names inside a ``.7z`` archive (reads only its header)."""
    _require_py7zr()
    import py7zr

    try:
        with py7zr.SevenZipFile(path, mode="r") as archive:
            return [info.filename for info in archive.list() if not info.is_directory]
    except Exception as exc:  # Bad7zFile, truncated headers, unsupported methods, passwords...
        raise _bad_archive(path, exc) from exc


class SevenZipMember:
    """``with SevenZipMember(archive, "Posts.xml") as fh: fh.read(n)``: decompressed bytes, in order."""

    def __init__(self, path: Path, member: str) -> None:
        self.path, self.member = path, member
        self._queue: queue.Queue[bytes | BaseException] = queue.Queue(_QUEUE_SLICES)
        self._cancel = threading.Event()
        self._done = False
        self._thread = threading.Thread(target=self._extract, name=f"7z:{path.name}", daemon=True)

    # -- producer (background thread) ------------------------------------------------------------
    def _put(self, item: bytes | BaseException) -> None:
        while True:
            if self._cancel.is_set():
                raise _Cancelled
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _write(self, data: bytes | bytearray) -> int:
        view = memoryview(data)
        for start in range(0, len(view), _SLICE):
            self._put(bytes(view[start : start + _SLICE]))
        return len(data)

    def _extract(self) -> None:
        import py7zr
        from py7zr.io import Py7zIO, WriterFactory

        owner = self

        class Writer(Py7zIO):
            def __init__(self) -> None:
                self.written = 0

            def write(self, s: bytes | bytearray) -> int:
                self.written += owner._write(s)
                return len(s)

            def read(self, size: int | None = None) -> bytes:
                return b""

            def seek(self, offset: int, whence: int = 0) -> int:
                return 0

            def seekable(self) -> bool:  # py7zr then does not rewind us when the member ends
                return False

            def flush(self) -> None:
                return None

            def size(self) -> int:
                return self.written

        class Factory(WriterFactory):
            def create(self, filename: str) -> Py7zIO:
                return Writer()

        try:
            with py7zr.SevenZipFile(self.path, mode="r") as archive:
                archive.extract(targets=[self.member], factory=Factory())
            self._put(_EOF)
        except _Cancelled:
            return
        except Exception as exc:  # handed to the reading thread, which raises it there
            try:
                self._put(_bad_archive(self.path, exc))
            except _Cancelled:
                return

    # -- consumer --------------------------------------------------------------------------------
    def read(self, size: int = -1) -> bytes:
        """Up to one decompressed slice (``size`` is a hint, as for a raw stream); ``b""`` at the end."""
        if self._done:
            return _EOF
        item = self._queue.get()
        if isinstance(item, BaseException):
            self._done = True
            raise item
        if item == _EOF:
            self._done = True
        return item

    def __enter__(self) -> SevenZipMember:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._cancel.set()
        if self._thread.ident is not None:
            self._thread.join()
