"""Downloads into the checksummed cache, tested against a local http.server only."""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import json
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from oncokg import loaders
from oncokg.loaders import SourceError, SourceFile
from oncokg.loaders.fetch import Fetcher


class _Server:
    def __init__(self, root: Path) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                outer.requests.append(self.path)
                super().do_GET()

        handler = functools.partial(Handler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[_Server, Path]]:
    root = tmp_path / "www"
    root.mkdir()
    server = _Server(root)
    yield server, root
    server.close()


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ONCOKG_DATA_DIR", "ONCOKG_CACHE_DIR", "ONCOKG_MIRROR_URL"):
        monkeypatch.delenv(name, raising=False)


def test_download_and_sidecar(served, tmp_path: Path) -> None:
    server, root = served
    (root / "genes.tsv").write_bytes(b"GeneID\ttype\tsymbol\n1\tsymbol\tA1BG\n")
    file = SourceFile("entrez_gene/genes.tsv", f"{server.url}/genes.tsv")
    cache = tmp_path / "cache"
    path = Fetcher(cache_dir=cache).path(file)
    assert path == cache / "entrez_gene" / "genes.tsv"
    sidecar = json.loads((cache / "entrez_gene" / "genes.tsv.sha256.json").read_text())
    assert sidecar["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert sidecar["url"] == file.url
    # cached: no second request
    Fetcher(cache_dir=cache).path(file)
    assert server.requests == ["/genes.tsv"]
    # a cached file that no longer matches its sidecar is downloaded again
    path.write_bytes(b"tampered")
    Fetcher(cache_dir=cache).path(file)
    assert len(server.requests) == 2
    assert path.read_bytes().startswith(b"GeneID")


def test_pinned_checksum_and_http_errors(served, tmp_path: Path) -> None:
    server, root = served
    (root / "a.txt").write_bytes(b"hello")
    bad = SourceFile("x/a.txt", f"{server.url}/a.txt", sha256="0" * 64)
    with pytest.raises(SourceError, match="checksum mismatch"):
        Fetcher(cache_dir=tmp_path / "c").path(bad)
    assert not (tmp_path / "c" / "x" / "a.txt").exists()
    good = SourceFile("x/a.txt", f"{server.url}/a.txt",
                      sha256=hashlib.sha256(b"hello").hexdigest())
    assert Fetcher(cache_dir=tmp_path / "c").path(good).read_bytes() == b"hello"
    missing = SourceFile("x/missing.txt", f"{server.url}/missing.txt")
    with pytest.raises(SourceError, match="download failed.*missing.txt"):
        Fetcher(cache_dir=tmp_path / "c").path(missing)


def test_archive_members(served, tmp_path: Path) -> None:
    server, root = served
    with zipfile.ZipFile(root / "r.zip", "w") as zf:
        zf.writestr("ReactomePathways.gmt", "A\tR-HSA-1\tEGFR\n")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        data = b"COSMIC_ID,Drug_1_IC50\n1,0.5\n"
        info = tarfile.TarInfo("pkg-1.0/pkg/data/IC50.csv")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    (root / "pkg.tar.gz").write_bytes(buffer.getvalue())
    fetcher = Fetcher(cache_dir=tmp_path / "c")
    gmt = fetcher.path(SourceFile("reactome/R.gmt", f"{server.url}/r.zip",
                                  member="ReactomePathways.gmt"))
    assert gmt.read_text().startswith("A\tR-HSA-1")
    csv = fetcher.path(SourceFile("gdsc/IC50.csv", f"{server.url}/pkg.tar.gz",
                                  member="pkg/data/IC50.csv"))
    assert csv.read_bytes() == data
    with pytest.raises(SourceError, match="no member"):
        fetcher.path(SourceFile("gdsc/other.csv", f"{server.url}/pkg.tar.gz", member="nope.csv"))


def test_load_source_through_a_mirror(data_dir, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole source downloaded (from a local mirror of the data dir) and loaded."""
    server = _Server(data_dir)
    try:
        monkeypatch.setenv("ONCOKG_MIRROR_URL", server.url)
        result = loaders.load_source("msigdb", cache_dir=tmp_path / "cache")
    finally:
        server.close()
    assert len(result.node_table("Pathway").rows) == 50
    assert sorted(server.requests) == ["/entrez_gene/symbols-human.tsv",
                                       "/msigdb/h.all.v7.0.symbols.gmt"]
    assert (tmp_path / "cache" / "msigdb" / "h.all.v7.0.symbols.gmt.sha256.json").is_file()
    assert all(len(v) == 64 for v in result.files.values())


def test_data_dir_mode_never_downloads(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    file = SourceFile("msigdb/h.gmt", "http://127.0.0.1:9/never")
    with pytest.raises(SourceError, match="not found in data dir"):
        Fetcher(data_dir=tmp_path / "data").path(file)


def test_env_data_dir(monkeypatch: pytest.MonkeyPatch, data_dir) -> None:
    monkeypatch.setenv("ONCOKG_DATA_DIR", str(data_dir))
    assert loaders.load_source("oncotree").release == "2025-10-03"
