"""Write outputs so that an interrupted run never leaves something that looks complete.

Files and folders are written under a temporary name beside their destination and renamed
into place only when fully written (rename is atomic within one file system). On any
exception, KeyboardInterrupt included, the temporary is removed.

Python's temporaries are private (0700 folders, 0600 files); what l1forge writes is shared
between physicists and firmware engineers, so each temporary gets the permissions a plain
mkdir or open would have given under the user's umask before it is renamed into place.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator


def current_umask() -> int:
    """The process's umask (os.umask can only be read by setting it, so set it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _as_plain_mkdir(path: Path) -> None:
    path.chmod(0o777 & ~current_umask())


def _as_plain_open(path: Path) -> None:
    path.chmod(0o666 & ~current_umask())


@contextlib.contextmanager
def atomic_dir(dest: Path, replace: bool = False) -> Iterator[Path]:
    """Yield an empty temporary folder; on success it becomes `dest`.

    With `replace`, an existing `dest` is swapped out only after the new one is complete.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-", dir=dest.parent))
    _as_plain_mkdir(tmp)
    try:
        yield tmp
        if dest.exists():
            if not replace:
                raise FileExistsError(dest)
            old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
            os.rename(dest, old)
            os.rename(tmp, dest)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextlib.contextmanager
def atomic_file(dest: Path) -> Iterator[Path]:
    """Yield a temporary path beside `dest`; on success it is renamed to `dest`."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.partial-", dir=dest.parent)
    os.close(fd)
    tmp = Path(name)
    _as_plain_open(tmp)
    try:
        yield tmp
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(dest: Path, text: str) -> None:
    with atomic_file(dest) as tmp:
        tmp.write_text(text)
