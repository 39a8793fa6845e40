"""Labelled corpora: speakers and label codes read from file names, unreadable names reported."""

from __future__ import annotations

from pathlib import PurePath

import pytest

from aurora.data.readers import (
    FilenameError,
    crema_d_name,
    emodb_name,
    emovo_name,
    ravdess_name,
    savee_name,
    scan,
    tess_name,
)


def test_emodb_names_give_speaker_and_emotion_letter():
    assert emodb_name(PurePath("03/03a01Wa.wav")) == ("03", "W", "male")
    assert emodb_name(PurePath("16b10Lb.flac")) == ("16", "L", "female")
    for bad in ("03a01Wa_copy.wav", "3a01Wa.wav", "03a01wa.wav", "notes.wav"):
        with pytest.raises(FilenameError, match="Emo-DB"):
            emodb_name(PurePath(bad))


def test_crema_d_tess_and_savee_names_give_speaker_and_label_code():
    assert crema_d_name(PurePath("AudioWAV/1001_DFA_ANG_XX.wav")) == ("1001", "ANG", "")
    assert crema_d_name(PurePath("1091_IEO_SAD_HI.wav")) == ("1091", "SAD", "")
    assert tess_name(PurePath("OAF_angry/OAF_back_angry.wav")) == ("OAF", "angry", "female")
    assert tess_name(PurePath("YAF_pleasant_surprised/YAF_bite_ps.wav")) == ("YAF", "ps", "female")
    assert savee_name(PurePath("DC_sa03.wav")) == ("DC", "sa", "male")
    assert savee_name(PurePath("AudioData/JK/su15.wav")) == ("JK", "su", "male")
    assert savee_name(PurePath("KL_n30.wav")) == ("KL", "n", "male")
    for reader, bad in ((crema_d_name, "1001_DFA_ANG_ZZ.wav"), (crema_d_name, "101_DFA_ANG_XX.wav"),
                        (tess_name, "OAF_back.wav"), (savee_name, "DC_x01.wav"),
                        (savee_name, "audio/a01.wav")):  # no speaker initials anywhere
        with pytest.raises(FilenameError, match="clip name"):
            reader(PurePath(bad))


def test_emovo_names_give_speaker_emotion_code_and_gender():
    assert emovo_name(PurePath("f1/dis-f1-b1.flac")) == ("f1", "dis", "female")
    assert emovo_name(PurePath("m3/tri-m3-n5.wav")) == ("m3", "tri", "male")
    for bad in ("dis-x1-b1.wav", "dis-f1.wav", "disgust-f1-b1.wav", "dis_f1_b1.wav"):
        with pytest.raises(FilenameError, match="EMOVO"):
            emovo_name(PurePath(bad))


def test_ravdess_names_give_actor_and_emotion_code_speech_only():
    assert ravdess_name(PurePath("Actor_12/03-01-05-02-01-02-12.wav")) == ("12", "05", "female")
    with pytest.raises(FilenameError, match="audio-only speech"):
        ravdess_name(PurePath("03-02-05-02-01-02-12.wav"))  # song


def test_scan_reads_every_audio_file_and_says_why_a_name_was_not_read(tmp_path):
    for rel in ("03/03a01Wa.wav", "03/03a02Na.flac", "08/08b01Fd.wav", "08/odd name.wav", "08/notes.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"")
    files, rejected = scan(tmp_path, "emodb", ["wav", "flac"])
    assert [(f.path, f.speaker, f.code) for f in files] == [
        ("03/03a01Wa.wav", "03", "W"), ("03/03a02Na.flac", "03", "N"), ("08/08b01Fd.wav", "08", "F")]
    assert [r.path for r in rejected] == ["08/odd name.wav"] and "Emo-DB" in rejected[0].reason


def test_the_emodb_copy_reads_as_its_readme_says(emodb_dir):
    from collections import Counter

    from aurora.config import load_params
    from tests.conftest import REPO

    files, rejected = scan(emodb_dir, "emodb", ["wav", "flac"])
    assert not rejected and len(files) == 243
    assert sorted({f.speaker for f in files}) == ["03", "08", "09", "10", "11"]
    assert Counter(f.code for f in files) == {"W": 60, "L": 35, "E": 12, "A": 29, "F": 34, "T": 30, "N": 43}
    labels = load_params(REPO / "params.yaml").crosscorpus.corpora["emodb"].labels
    assert set(Counter(f.code for f in files)) == set(labels)  # every code is mapped
