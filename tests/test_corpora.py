"""Labelled corpora: speakers and label codes read from file names, unreadable names reported."""

from __future__ import annotations

from pathlib import PurePath

import pytest

from aurora.config.corpora import CorpusSource
from aurora.data.emotions import EMOTIONS
from aurora.data.readers import (
    READERS,
    FilenameError,
    aesdd_name,
    asvp_esd_name,
    cafe_name,
    casia_name,
    crema_d_name,
    emodb_name,
    emov_db_name,
    emovo_name,
    enterface_name,
    jl_corpus_name,
    mesd_name,
    oreau_name,
    polish_name,
    ravdess_name,
    savee_name,
    scan,
    shemo_name,
    subesco_name,
    tess_name,
    turev_db_name,
    urdu_name,
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
    labels = load_params(REPO / "params.yaml").data.corpora["emodb"].labels
    assert set(Counter(f.code for f in files)) == set(labels)  # every code is mapped


# Each reader: real-looking paths -> (speaker, code, gender), then malformed names and the corpus name
# their FilenameError must give.
NAME_CASES = {
    cafe_name: ([("Colère/Faible/01-C-1-1.wav", ("01", "C", "male")),
                 ("CaFE_192k_1/Neutre/02-N-3.aiff", ("02", "N", "female")),
                 ("Tristesse/Fort/12-T-2-6.wav", ("12", "T", "female"))],
                ["01-N-1-1.wav", "01-X-1-1.wav", "1-C-1-1.wav"], "CaFE"),
    subesco_name: ([("F_02_MONIKA_S_1_NEUTRAL_5.wav", ("F_02", "NEUTRAL", "female")),
                    ("SUBESCO/M_10_TANVIR_S_10_ANGRY_1.wav", ("M_10", "ANGRY", "male"))],
                   ["F_02_MONIKA_1_NEUTRAL_5.wav", "X_02_MONIKA_S_1_NEUTRAL_5.wav",
                    "f_02_monika_s_1_neutral_5.wav"], "SUBESCO"),
    shemo_name: ([("female/F01A01.wav", ("F01", "A", "female")), ("male/M25W104.wav", ("M25", "W", "male"))],
                 ["F01X01.wav", "F1A01.wav", "F01A1.wav"], "ShEMO"),
    mesd_name: ([("Mexican Emotional Speech Database (MESD)/Anger_C_A_abajo.wav", ("C", "Anger", "")),
                 ("Sadness_F_B_regalo.wav", ("F", "Sadness", "female")),
                 ("Happiness_M_A_adiós.wav", ("M", "Happiness", "male"))],
                ["Anger_X_A_abajo.wav", "Anger_C_C_abajo.wav", "anger_C_A_abajo.wav"], "MESD"),
    aesdd_name: ([("anger/a01 (1).wav", ("1", "a", "")), ("sadness/s20 (5).wav", ("5", "s", ""))],
                 ["a01(1).wav", "x01 (1).wav", "a1 (1).wav"], "AESDD"),
    jl_corpus_name: ([("JL(wav+txt)/female1_angry_10a_1.wav", ("female1", "angry", "female")),
                      ("male2_apologetic_7b_2.wav", ("male2", "apologetic", "male"))],
                     ["female3_angry_10a_1.wav", "female1_angry_10c_1.wav", "female1-angry-10a-1.wav"],
                     "JL-Corpus"),
    oreau_name: ([("m/sessc/07a02Ca.wav", ("07", "C", "male")),
                  ("f/sesst/42a11Ta.wav", ("42", "T", "female")), ("10a01Na.wav", ("10", "N", ""))],
                 ["07a02Xa.wav", "7a02Ca.wav", "07a02CA.wav"], "Oréau"),
    asvp_esd_name: ([("Audio/actor_12/03-01-06-01-02-12-02-01-01-16.wav", ("12", "06", "male")),
                     ("actor_7/03-01-02-02-05-07-03-03.wav", ("07", "02", "female"))],
                    ["03-01-06-01-02.wav", "03-01-6-01-02-12-02-01.wav", "03_01_06_01_02_12_02_01.wav"],
                    "ASVP-ESD"),
    urdu_name: ([("Angry/SM1_F10_A010.wav", ("SM1", "A", "male")),
                 ("Happy/SF10_F2_H0100.wav", ("SF10", "H", "female"))],
                ["SM1_F10_X010.wav", "SX1_F10_A010.wav", "SM1_10_A010.wav"], "URDU"),
    turev_db_name: ([("Sound Source/Angry/1157_kz_beste.wav", ("1157", "kz", "")),
                     ("Sound Source/Calm/6783_sk_algi.wav", ("6783", "sk", ""))],
                    ["115_kz_beste.wav", "1157_kzz_beste.wav", "1157-kz-beste.wav"], "TurEV-DB"),
    polish_name: ([("POLISH/m1.a_nie_2.wav", ("m1", "a", "male")),
                   ("m5.s_trzymaj_5.wav", ("m5", "s", "male"))],
                  ["m1_a_nie_2.wav", "m1.x_nie_2.wav", "x1.a_nie_2.wav"], "Polish"),
    enterface_name: ([("subject 3/anger/sentence 1/s3_an_1.wav", ("3", "an", "")),
                      ("subject 11/disgust/sentence 2/s12_di_2.wav", ("11", "di", "")),
                      ("subject 16/surprise/sentence 3/s16_su_3avi.wav", ("16", "su", ""))],
                     ["s3_an_1.wav", "subject 3/anger/sentence 1/s3_xx_1.wav", "subject 3/anger/s3-an-1.wav"],
                     "eNTERFACE'05"),
    emov_db_name: ([("EmoV-DB_sorted/bea/Amused/amused_1-15_0001.wav", ("bea", "amused", "female")),
                    ("josh/Sleepy/sleepiness_141_168_0141.wav", ("josh", "sleepiness", "male")),
                    ("sam_Angry/anger_393-420_0397.wav", ("sam", "anger", "male"))],
                   ["amused_1-15_0001.wav", "tom/Amused/amused_1-15_0001.wav", "bea/Amused/Amused_1-15.wav"],
                   "EmoV-DB"),
    casia_name: ([("CASIA database/liuchanhg/angry/201.wav", ("liuchanhg", "angry", "")),
                  ("不同文本100/Zuoxiang.Zhao/surprise/301.wav", ("ZhaoZuoxiang", "surprise", "")),
                  ("相同文本50/zhaozuoxiang/happy/212.wav", ("ZhaoZuoxiang", "happy", ""))],
                 ["liuchanhg/201.wav", "someone/angry/201.wav", "liuchanhg/angry/angry-201.wav"], "CASIA"),
}


@pytest.mark.parametrize("reader", list(NAME_CASES), ids=lambda reader: reader.__name__)
def test_each_reader_reads_its_corpus_names_and_names_its_corpus_when_a_name_is_not_one(reader):
    good, bad, corpus = NAME_CASES[reader]
    assert [tuple(reader(PurePath(path))) for path, _ in good] == [fields for _, fields in good]
    for name in bad:
        with pytest.raises(FilenameError, match=corpus):
            reader(PurePath(name))


def test_asvp_esd_reports_non_speech_sounds_as_ravdess_does_songs():
    with pytest.raises(FilenameError, match="non-speech"):
        asvp_esd_name(PurePath("actor_12/03-02-03-01-01-12-02-01.wav"))


def test_scan_reads_enterface_speakers_from_its_subject_folders_and_says_why_a_file_was_not_read(tmp_path):
    for rel in ("subject 1/anger/sentence 1/s1_an_1.wav", "subject 11/fear/sentence 2/s12_fe_2.wav",
                "subject 6/happiness/s6_ha_3.wav", "subject 1/anger/sentence 1/take2.wav", "s1_sa_4.wav",
                "subject 1/anger/sentence 1/Thumbs.db"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"")
    files, rejected = scan(tmp_path, "enterface", ["wav"])
    assert [(f.path, f.speaker, f.code) for f in files] == [
        ("subject 1/anger/sentence 1/s1_an_1.wav", "1", "an"),
        ("subject 11/fear/sentence 2/s12_fe_2.wav", "11", "fe"),  # named s12, filed (and said) by subject 11
        ("subject 6/happiness/s6_ha_3.wav", "6", "ha")]
    assert [(r.path, "eNTERFACE'05" in r.reason) for r in rejected] == [
        ("s1_sa_4.wav", True), ("subject 1/anger/sentence 1/take2.wav", True)]
    assert "no speaker folder" in rejected[0].reason


# Each corpus's label codes -> this project's emotions ("" = no counterpart), as the report's YAML block
# gives them for params.yaml. Emozionalmente's labels are only in its metadata: reader csv.
LABEL_MAPS = {
    "cafe": {"C": "angry", "D": "disgust", "J": "happy", "N": "neutral", "P": "fearful", "S": "surprised",
             "T": "sad"},
    "subesco": {"ANGRY": "angry", "DISGUST": "disgust", "FEAR": "fearful", "HAPPY": "happy",
                "NEUTRAL": "neutral", "SAD": "sad", "SURPRISE": "surprised"},
    "shemo": {"A": "angry", "F": "fearful", "H": "happy", "N": "neutral", "S": "sad", "W": "surprised"},
    "mesd": {"Anger": "angry", "Disgust": "disgust", "Fear": "fearful", "Happiness": "happy",
             "Neutral": "neutral", "Sadness": "sad"},
    "aesdd": {"a": "angry", "d": "disgust", "f": "fearful", "h": "happy", "s": "sad"},
    "jl_corpus": {"angry": "angry", "happy": "happy", "neutral": "neutral", "sad": "sad", "excited": "",
                  "anxious": "", "apologetic": "", "assertive": "", "concerned": "", "encouraging": ""},
    "enterface": {"an": "angry", "di": "disgust", "fe": "fearful", "ha": "happy", "sa": "sad",
                  "su": "surprised"},
    "emozionalmente": {"anger": "angry", "disgust": "disgust", "fear": "fearful", "joy": "happy",
                       "neutrality": "neutral", "sadness": "sad", "surprise": "surprised"},
    "oreau": {"C": "angry", "D": "disgust", "J": "happy", "N": "neutral", "P": "fearful", "S": "surprised",
              "T": "sad"},
    "asvp_esd": {"01": "", "02": "neutral", "03": "happy", "04": "sad", "05": "angry", "06": "fearful",
                 "07": "disgust", "08": "surprised", "09": "", "10": "", "11": "", "12": "", "13": ""},
    "emov_db": {"amused": "happy", "anger": "angry", "disgust": "disgust", "neutral": "neutral",
                "sleepiness": ""},
    "urdu": {"A": "angry", "H": "happy", "N": "neutral", "S": "sad"},
    "turev_db": {"kz": "angry", "sk": "calm", "mt": "happy", "hl": "sad"},
    "polish": {"a": "angry", "s": "fearful", "n": "neutral"},
    "casia": {"angry": "angry", "fear": "fearful", "happy": "happy", "neutral": "neutral",
              "normal": "neutral", "sad": "sad", "surprise": "surprised"},
}


def test_the_label_maps_give_only_this_projects_emotions_and_each_reads_as_a_corpus_entry():
    wrong = {(corpus, code, emotion) for corpus, labels in LABEL_MAPS.items()
             for code, emotion in labels.items() if emotion not in (*EMOTIONS, "")}
    assert not wrong
    assert set(LABEL_MAPS) - {"emozionalmente"} <= set(READERS)
    for corpus, labels in LABEL_MAPS.items():  # the entry params.yaml would hold (validated as it would be)
        CorpusSource(reader="csv" if corpus == "emozionalmente" else corpus, labels=labels)
