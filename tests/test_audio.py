import numpy as np
import pytest
import soundfile as sf

from aurora.audio import AudioError, decode, load_mono, read_file, resample, to_mono


@pytest.mark.parametrize("subtype", ["PCM_U8", "PCM_16", "PCM_24", "FLOAT"])
@pytest.mark.parametrize("sr", [22050, 44100, 48000])
def test_wav_of_any_depth_and_rate_decodes_to_the_written_signal(clip_writer, subtype, sr):
    path = clip_writer("clip.wav", sr=sr, subtype=subtype, channels=2)
    decoded = decode(path.read_bytes())
    reference, _ = sf.read(path, dtype="float32", always_2d=True)
    assert decoded.sample_rate == sr and decoded.channels == 2
    np.testing.assert_array_equal(decoded.samples, reference)


def test_stereo_downmix_and_resample(clip_writer):
    path = clip_writer("stereo.flac", sr=48000, channels=2, seconds=1.0)
    y = load_mono(path, 16000)
    assert y.ndim == 1 and y.dtype == np.float32
    # 1.0 s of tone + 2 x 0.2 s silence, at the new rate.
    assert abs(len(y) - 1.4 * 16000) <= 1
    left = sf.read(path, dtype="float32")[0][:, 0]
    np.testing.assert_allclose(y, resample(left, 48000, 16000), atol=1e-6)


def test_to_mono_averages_channels():
    stereo = np.array([[1.0, 0.0], [0.5, 0.5]], dtype=np.float32)
    np.testing.assert_array_equal(to_mono(stereo), [0.5, 0.5])


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty file"),
    (b"this is not audio at all" * 10, "not a readable audio file"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", "not a readable audio file"),
])
def test_bad_bytes_raise_audio_error(data, message):
    with pytest.raises(AudioError, match=message):
        decode(data)


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(AudioError, match="not found"):
        read_file(tmp_path / "nope.wav")
    with pytest.raises(AudioError, match="is a directory"):
        read_file(tmp_path)
    link = tmp_path / "broken.wav"
    link.symlink_to(tmp_path / "gone.wav")
    with pytest.raises(AudioError, match="broken link"):
        read_file(link)
