import pytest

from aurora.data.readers.ravdess import FilenameError, parse_clip_name


def test_every_field_is_parsed():
    clip = parse_clip_name("Actor_12/03-01-05-02-01-02-12.wav")
    assert clip.clip_id == "03-01-05-02-01-02-12"
    assert (clip.modality, clip.vocal_channel) == (3, 1)
    assert clip.emotion_code == 5 and clip.emotion == "angry"
    assert clip.intensity == 2
    assert clip.statement == 1
    assert clip.repetition == 2
    assert clip.actor == 12 and clip.gender == "female"
    assert clip.is_audio_only_speech


@pytest.mark.parametrize(("code", "name"), [(1, "neutral"), (2, "calm"), (3, "happy"), (4, "sad"),
                                            (5, "angry"), (6, "fearful"), (7, "disgust"),
                                            (8, "surprised")])
def test_emotion_codes(code, name):
    intensity = 1
    assert parse_clip_name(f"03-01-{code:02d}-{intensity:02d}-02-01-07.flac").emotion == name


def test_odd_actor_is_male_and_song_is_not_speech():
    clip = parse_clip_name("03-02-03-01-01-01-01.wav")
    assert clip.gender == "male"
    assert not clip.is_audio_only_speech
    assert not parse_clip_name("01-01-03-01-01-01-01.mp4").is_audio_only_speech


@pytest.mark.parametrize(("name", "complaint"), [
    ("03-01-09-01-01-01-01.wav", "emotion code 09"),
    ("03-01-01-02-01-01-01.wav", "neutral clips have no strong intensity"),
    ("03-01-03-03-01-01-01.wav", "intensity code 03"),
    ("03-01-03-01-03-01-01.wav", "statement code 03"),
    ("03-01-03-01-01-03-01.wav", "repetition code 03"),
    ("03-01-03-01-01-01-25.wav", "actor 25"),
    ("03-01-03-01-01-01-00.wav", "actor 00"),
    ("04-01-03-01-01-01-01.wav", "modality code 04"),
    ("03-03-03-01-01-01-01.wav", "vocal channel code 03"),
    ("03-01-03-01-01-01.wav", "seven two-digit fields"),
    ("3-1-3-1-1-1-1.wav", "seven two-digit fields"),
    ("happy_clip.wav", "seven two-digit fields"),
    ("03-01-03-01-01-01-01-01.wav", "seven two-digit fields"),
])
def test_malformed_names_say_what_is_wrong(name, complaint):
    with pytest.raises(FilenameError, match=complaint):
        parse_clip_name(name)
