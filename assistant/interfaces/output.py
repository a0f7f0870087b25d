"""Output files that end on a whole record, whatever happens to the disk.

Batch answers and chat transcripts are written a record at a time, straight to the file descriptor (no buffer
that could be flushed half later). When a write fails (a full disk, a read-only file system) the file is cut
back to the end of the last complete record and an OutputError says where it stopped.
"""
from __future__ import annotations

import os
import stat
import sys
from typing import TextIO

from assistant.errors import AssistantError


class OutputError(AssistantError):
    """An output file or stream could not be written (the message names it and the records kept)."""


def _fd(stream: TextIO) -> int | None:
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None  # an in-memory stream (io.StringIO)


class WholeRecords:
    """Writes text records to a stream; on failure a regular file is cut back to its last whole record."""

    def __init__(self, stream: TextIO, name: str, unit: str = "record") -> None:
        self.stream, self.name, self.unit = stream, name, unit
        self.records = 0
        self.fd = _fd(stream)
        self.regular = False
        self.good = 0
        if self.fd is not None:
            stream.flush()
            info = os.fstat(self.fd)
            self.regular = stat.S_ISREG(info.st_mode)
            self.good = os.lseek(self.fd, 0, os.SEEK_CUR) if self.regular else 0

    @classmethod
    def open(cls, path: str, name: str = "", unit: str = "record", append: bool = False) -> WholeRecords:
        """A file opened for writing (or appending); an OutputError in one line when it cannot be."""
        try:
            fh = open(path, "a" if append else "w", encoding="utf-8", newline="")
        except OSError as e:
            raise OutputError(f"cannot write {name or path}: {e.strerror or e}") from None
        return cls(fh, name or path, unit)

    def write(self, text: str, count: bool = True) -> None:
        """One whole record (`count=False`: a header, not counted among the records kept)."""
        if self.fd is None:
            self.stream.write(text)
            return
        encoded = text.encode("utf-8", "surrogateescape")
        data = memoryview(encoded)
        try:
            while data:
                data = data[os.write(self.fd, data):]
        except BrokenPipeError:
            raise
        except OSError as e:
            self._cut()
            kept = f"{self.records} complete {self.unit}{'s' if self.records != 1 else ''} kept"
            raise OutputError(f"cannot write {self.name}: {e.strerror or e} ({kept})") from None
        self.records += count
        if self.regular:
            self.good += len(encoded)

    def _cut(self) -> None:
        if self.regular and self.fd is not None:
            try:
                os.ftruncate(self.fd, self.good)
                os.lseek(self.fd, self.good, os.SEEK_SET)
            except OSError:
                pass

    def close(self) -> None:
        if self.stream is not sys.stdout and self.stream is not sys.stderr:
            try:
                self.stream.close()
            except OSError:
                pass
