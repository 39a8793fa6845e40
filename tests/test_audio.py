import numpy as np
import pytest
import soundfile as sf

from aurora.audio.decode import AudioError, decode, load_mono, read_file, resample, to_mono


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


def test_to_mono_averages_one_signal_and_keeps_the_louder_of_two_microphones():
    from tests.conftest import voice_like

    sr = 16000
    voice = voice_like(1.0, sr)
    # A stereo copy of a mono recording: exactly the recording.
    np.testing.assert_array_equal(to_mono(np.stack([voice, voice], axis=1), sr), voice)
    # Two close microphones (the same signal, a little independent noise): their average.
    noise = np.random.default_rng(1).standard_normal((len(voice), 2)).astype(np.float32) * 0.003
    close = np.stack([voice, voice], axis=1) + noise
    np.testing.assert_allclose(to_mono(close, sr), close.mean(axis=1), atol=1e-7)
    # Two different microphones: the second hears the voice 0.6 ms later, inverted and 6 dB
    # quieter. Their average loses much of the voice; the louder channel keeps it whole.
    far = -0.5 * np.roll(voice, 10)
    pair = np.stack([far, voice], axis=1)
    np.testing.assert_array_equal(to_mono(pair, sr), voice)
    assert np.mean(pair.mean(axis=1) ** 2) < 0.5 * np.mean(voice**2)
    # A dead channel does not halve the level.
    np.testing.assert_array_equal(to_mono(np.stack([np.zeros_like(voice), voice], axis=1), sr), voice)
    mono = voice[:, None]
    np.testing.assert_array_equal(to_mono(mono, sr), voice)


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


def test_speech_level_follows_the_voice_not_the_silence_around_it():
    from aurora.audio.level import speech_level_dbfs

    sr = 16000
    tone = (0.1 * np.sin(2 * np.pi * 220 * np.arange(sr) / sr)).astype(np.float32)  # RMS 0.0707: -23 dBFS
    assert abs(speech_level_dbfs(tone, sr) - 20 * np.log10(0.1 / np.sqrt(2))) < 0.1
    # Pauses shorter than the voice fall in the quieter half of the frames: the level is unchanged.
    padded = np.concatenate([np.zeros(sr * 4 // 10, np.float32), tone, np.zeros(sr * 4 // 10, np.float32)])
    assert abs(speech_level_dbfs(padded, sr) - speech_level_dbfs(tone, sr)) < 0.01
    assert speech_level_dbfs(np.zeros(sr, np.float32), sr) == float("-inf")


def test_normalize_level_makes_a_clip_the_same_at_any_recording_gain():
    from aurora.audio.level import normalize_level, speech_level_dbfs
    from tests.conftest import voice_like

    y = voice_like(1.5, 16000)
    quiet, loud = y * np.float32(10 ** (-30 / 20)), y * np.float32(10 ** (12 / 20))
    a, b = normalize_level(quiet, -20.0), normalize_level(loud, -20.0)
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-7)
    assert abs(speech_level_dbfs(a) + 20.0) < 0.01
    silence = np.zeros(800, np.float32)
    assert normalize_level(silence, -20.0) is silence
