"""The web explorer: upload checks, the batch page's CSV reader, and a real browser
(Debian's headless Chromium, driven by selenium) uploading a real clip."""

import csv
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from aurora.config import PredictConfig
from aurora.inference.classify import classify_files
from aurora.inference.output import file_columns, result_rows
from aurora.inference.predictor import Predictor
from aurora_app.batch_view import read_predictions
from aurora_app.uploads import MAX_SECONDS, UploadError, save_upload
from tests.conftest import _free_port

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


def test_bad_uploads_are_messages(tmp_path, clip_writer):
    with pytest.raises(UploadError, match="empty"):
        save_upload("a.wav", b"", tmp_path)
    with pytest.raises(UploadError, match="not a supported audio type"):
        save_upload("notes.txt", b"hello", tmp_path)
    with pytest.raises(UploadError, match="format not recognised"):
        save_upload("corrupt.wav", b"RIFF" + os.urandom(2000), tmp_path)
    long = tmp_path / "long.wav"  # two hours at 1 kHz: 14 MB
    sf.write(long, np.zeros(2 * 3600 * 1000, np.int16), 1000, subtype="PCM_16")
    with pytest.raises(UploadError, match=r"2 h 00 min long.*aurora predict"):
        save_upload("call.wav", long.read_bytes(), tmp_path)
    assert MAX_SECONDS < 7200
    good = clip_writer("ok.flac", seconds=1.0)
    path, seconds = save_upload("my clip.flac", good.read_bytes(), tmp_path / "")
    assert path.suffix == ".flac" and seconds == pytest.approx(sf.info(good).duration)


def test_batch_page_reads_predictions_and_rejects_other_csvs():
    good = (b'path,status,error,duration_s,emotion,confidence,confidence_band,prob_sad,shift\n'
            b'"a, b.wav",ok,,1.5,sad,0.9,high,0.9,1.732\nx.wav,error,empty file (0 bytes),,,,,,\n')
    frame = read_predictions(good)
    assert list(frame.path) == ["a, b.wav", "x.wav"]
    assert frame.confidence.iloc[0] == 0.9 and np.isnan(frame.confidence.iloc[1])
    assert frame["shift"].iloc[0] == 1.732 and np.isnan(frame["shift"].iloc[1])
    with pytest.raises(ValueError, match="no confidence, confidence_band, emotion column"):
        read_predictions(b"path,status\nx.wav,ok\n")
    with_dimensions = read_predictions(b"path,status,emotion,confidence,confidence_band,arousal,valence\n"
                                       b"a.wav,ok,sad,0.8,high,0.21,0.18\nb.wav,error,,,,,\n")
    assert with_dimensions.arousal.iloc[0] == 0.21 and np.isnan(with_dimensions.valence.iloc[1])


@pytest.fixture
def browser(tmp_path):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        if os.environ.get("AURORA_REQUIRE_BROWSER"):
            pytest.fail("chromium/chromedriver missing: .ci/run installs them with apt-get")
        pytest.skip("Debian's chromium and chromium-driver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    # No background networking: this machine has no network, and Chromium would keep trying.
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1400,2400",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


@pytest.fixture
def app_url(tiny_model, tmp_path):
    port = _free_port()
    # Output to a file, not a pipe: a full pipe would block the server.
    with open(tmp_path / "app.log", "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "aurora_cli.main", "app", "--model", str(tiny_model),
                                 "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                pass
            assert proc.poll() is None, (tmp_path / "app.log").read_text()
            assert time.monotonic() < deadline, "the app did not start in 120 s"
            time.sleep(0.5)
        yield url
        proc.terminate()
        proc.wait(timeout=30)
        with pytest.raises(OSError):  # the server itself stopped: nothing left holding the port
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)


def test_browser_uploads_a_real_clip_and_reads_the_prediction(browser, app_url, tiny_model, ravdess_dir,
                                                               tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    clip = tmp_path / "angry clip.flac"
    shutil.copy(ravdess_dir / "Actor_01" / "03-01-05-02-01-01-01.flac", clip)
    (expected,) = classify_files([str(clip)], Predictor(tiny_model), PredictConfig())  # what the CLI says
    classes = Predictor(tiny_model).classes

    browser.get(app_url)
    wait = WebDriverWait(browser, 240)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "input[type='file']"))
    browser.find_element(By.CSS_SELECTOR, "input[type='file']").send_keys(str(clip))
    wait.until(lambda d: d.find_elements(By.ID, "aurora-analysis-done"))
    badge = browser.find_element(By.ID, "aurora-prediction")
    assert badge.get_attribute("data-emotion") == classes[int(np.argmax(expected.probabilities))]
    confidence = float(np.max(expected.probabilities))
    assert f"{confidence:.0%}" in badge.text
    shift = browser.find_element(By.ID, "aurora-shift")  # how unlike the training clips, as in the CSV
    assert float(shift.get_attribute("data-shift")) == pytest.approx(expected.shift, abs=1e-3)
    dimensions = browser.find_element(By.ID, "aurora-dimensions")  # beside the probabilities, as in the CSV
    assert [float(dimensions.get_attribute(f"data-{d}")) for d in ("arousal", "valence")] == pytest.approx(
        expected.dimensions, abs=1e-3)
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-testid='stImage'] img, img")) >= 3  # figures
    screenshot = tmp_path / "analyse.png"
    browser.save_screenshot(str(screenshot))
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 20_000
    print(f"screenshot: {screenshot}")

    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF" + os.urandom(4000))
    browser.find_element(By.CSS_SELECTOR, "input[type='file']").send_keys(str(corrupt))
    # Streamlit shows the new run's error while the last run's elements stay on the page, faded,
    # until the script ends: the old prediction must then be gone (a timeout here fails the test).
    WebDriverWait(browser, 240).until(lambda d: "format not recognised" in d.page_source
                                      and not d.find_elements(By.ID, "aurora-prediction"))
    assert "Traceback" not in browser.page_source
    browser.save_screenshot(str(tmp_path / "corrupt.png"))

    browser.get(f"{app_url}/model")
    wait.until(lambda d: "no metrics beside this model" in d.page_source)
    assert Predictor(tiny_model).model_id in browser.page_source

    # The batch page puts a folder's files on the arousal x valence plane.
    table = tmp_path / "predictions.csv"
    row, _ = result_rows(expected, classes, Predictor(tiny_model).model_id)
    with open(table, "w", newline="") as f:
        writer = csv.DictWriter(f, file_columns(classes))
        writer.writeheader()
        writer.writerows([row, {**row, "path": "other.wav", "arousal": 0.2, "valence": 0.9}])
    browser.get(f"{app_url}/batch")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "input[type='file']"))
    browser.find_element(By.CSS_SELECTOR, "input[type='file']").send_keys(str(table))
    wait.until(lambda d: d.find_elements(By.ID, "aurora-plane"))
    assert browser.find_element(By.ID, "aurora-plane").get_attribute("data-files") == "2"
    assert "Traceback" not in browser.page_source
    browser.save_screenshot(str(tmp_path / "batch.png"))
