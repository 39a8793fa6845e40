"""Locating RAVDESS: linking $RAVDESS_DIR, and downloading with resume and MD5
checks from a real HTTP server on 127.0.0.1."""

import hashlib
import http.server
import socket
import threading
import zipfile

import pytest

from aurora.data.sources import DatasetError, download, has_audio, prepare_raw_dir


class _RangeHandler(http.server.BaseHTTPRequestHandler):
    payload = b""
    seen_ranges: list  # set per test by the fixture

    def do_GET(self):
        start = 0
        header = self.headers.get("Range")
        self.seen_ranges.append(header)
        if header:
            start = int(header.removeprefix("bytes=").split("-")[0])
            if start >= len(self.payload):
                self.send_response(416)
                self.end_headers()
                return
            self.send_response(206)
        else:
            self.send_response(200)
        body = self.payload[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    handler = type("Handler", (_RangeHandler,), {"payload": b"", "seen_ranges": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{httpd.server_port}/Audio_Speech_Actors_01-24.zip"
    httpd.shutdown()
    httpd.server_close()


def _zip_of_clips(tmp_path, clip_writer) -> bytes:
    clip = clip_writer("src/03-01-05-01-01-01-01.wav", seconds=0.6)
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(clip, "Audio_Speech_Actors_01-24/Actor_01/03-01-05-01-01-01-01.wav")
    return archive.read_bytes()


def test_download_resumes_a_partial_file_and_checks_md5(tmp_path, server, clip_writer):
    handler, url = server
    handler.payload = _zip_of_clips(tmp_path, clip_writer)
    md5 = hashlib.md5(handler.payload).hexdigest()
    dest = tmp_path / "dl" / "archive.zip"
    dest.parent.mkdir()
    (dest.parent / "archive.zip.part").write_bytes(handler.payload[:100])
    download(url, dest, md5)
    assert dest.read_bytes() == handler.payload
    assert handler.seen_ranges == ["bytes=100-"]
    download(url, dest, md5)  # already there and verified: no request at all
    assert len(handler.seen_ranges) == 1


def test_checksum_mismatch_deletes_the_partial_file(tmp_path, server):
    handler, url = server
    handler.payload = b"x" * 5000
    dest = tmp_path / "archive.zip"
    with pytest.raises(DatasetError, match="does not match the published"):
        download(url, dest, "0" * 32)
    assert not dest.exists() and not (tmp_path / "archive.zip.part").exists()


def test_prepare_downloads_and_unpacks_any_depth(tmp_path, server, clip_writer):
    handler, url = server
    handler.payload = _zip_of_clips(tmp_path, clip_writer)
    raw = tmp_path / "data" / "raw" / "ravdess"
    message = prepare_raw_dir(raw, None, url=url, md5=hashlib.md5(handler.payload).hexdigest())
    assert "downloaded" in message
    assert (raw / "Audio_Speech_Actors_01-24/Actor_01/03-01-05-01-01-01-01.wav").is_file()
    assert "already" in prepare_raw_dir(raw, None, url=url, md5="unused")


def test_offline_fails_fast_and_says_how_to_point_at_a_copy(tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DatasetError, match="RAVDESS_DIR=/path/to/ravdess"):
        prepare_raw_dir(tmp_path / "raw", None, url=f"http://127.0.0.1:{port}/x.zip", md5="0" * 32,
                        timeout=2)


def test_ravdess_dir_becomes_a_link(tmp_path, clip_writer):
    clip_writer("copy/Actor_01/03-01-05-01-01-01-01.flac", seconds=0.6)
    raw = tmp_path / "data/raw/ravdess"
    assert "linked" in prepare_raw_dir(raw, tmp_path / "copy")
    assert raw.is_symlink() and has_audio(raw)
    clip_writer("other/03-01-05-01-01-01-02.wav", seconds=0.6)
    prepare_raw_dir(raw, tmp_path / "other")  # re-pointing an existing link
    assert raw.resolve() == (tmp_path / "other").resolve()


def test_bad_sources_are_refused_with_reasons(tmp_path, clip_writer):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match="holds no WAV or FLAC"):
        prepare_raw_dir(tmp_path / "raw", tmp_path / "empty")
    with pytest.raises(DatasetError, match="is not a directory"):
        prepare_raw_dir(tmp_path / "raw", tmp_path / "missing")
    clip_writer("copy/03-01-05-01-01-01-01.flac", seconds=0.6)
    real = tmp_path / "real"
    (real / "notes").mkdir(parents=True)
    with pytest.raises(DatasetError, match="is a real directory"):
        prepare_raw_dir(real, tmp_path / "copy")
    with pytest.raises(DatasetError, match="not downloading over it"):
        prepare_raw_dir(real, None, url="http://127.0.0.1:9/x", md5="0" * 32)
