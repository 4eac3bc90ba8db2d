"""Spoken practice measured from the audio (issue 29): synthetic speech with known length, pauses and syllables —
made with espeak-ng and sox, in English and Mandarin — measured by tools/speech.py; and the recordings nobody can
measure (silence, clipping, 20 minutes, a corrupt or unsupported file) refused with the reason."""

from __future__ import annotations

import os

import numpy as np
import pytest

from telesales_training.tools import speech

from . import speech_samples as samples

EN = [
    ("Good morning this is Lin from Bright Office", 10),
    ("may I have two minutes of your time", 9),
    ("we help companies cut their printing costs", 10),
]
ZH = [  # 您好，我是明亮办公的小林 / 想占用您两分钟 / 我们帮公司降低打印成本
    ("nin2 hao3 wo3 shi4 ming2 liang4 ban4 gong1 de5 xiao3 lin2", 11),
    ("xiang3 zhan4 yong4 nin2 liang3 fen1 zhong1", 7),
    ("wo3 men5 bang1 gong1 si1 jiang4 di1 da3 yin4 cheng2 ben3", 11),
]
VOICES = {"en": "en-us", "zh-CN": "cmn-latn-pinyin"}
PHRASES = {"en": EN, "zh-CN": ZH}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    samples.tools_present()
    return tmp_path_factory.mktemp("speech")


def made(folder, lang: str, pauses: list[float], words_per_minute: int, name: str):
    phrases = PHRASES[lang]
    path, speaking = samples.spliced([p for p, _ in phrases], pauses, VOICES[lang], words_per_minute, folder, name)
    return path, speaking, sum(n for _, n in phrases)


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
@pytest.mark.parametrize("words_per_minute", [140, 190])
def test_duration_pauses_and_rate_of_known_speech(folder, lang, words_per_minute):
    pauses = [0.8, 1.6]
    path, speaking, syllables = made(folder, lang, pauses, words_per_minute, f"{lang}-{words_per_minute}")
    metrics = speech.measure(samples.wav_pcm(path), lang)
    assert abs(metrics.duration - samples.length(path)) <= 0.1
    assert metrics.pauses == 2
    assert abs(metrics.longest_pause - 1.6) <= 0.15
    true_rate = syllables / speaking
    assert abs(metrics.rate - true_rate) <= 0.15 * true_rate, (metrics.rate, true_rate, metrics.syllables, syllables)
    assert abs(metrics.speaking - speaking) <= 0.3
    assert metrics.pitch_range is not None and -40 < metrics.loudness < 0 and metrics.clipped == 0


def test_a_faster_speaker_measures_faster(folder):
    slow = speech.measure(samples.wav_pcm(made(folder, "zh-CN", [0.8, 0.8], 120, "zh-slow")[0]), "zh-CN")
    fast = speech.measure(samples.wav_pcm(made(folder, "zh-CN", [0.8, 0.8], 220, "zh-fast")[0]), "zh-CN")
    assert fast.rate > 1.3 * slow.rate


def test_short_silences_inside_speech_are_not_pauses(folder):
    path, _, _ = made(folder, "en", [0.3, 0.35], 170, "en-tight")
    assert speech.measure(samples.wav_pcm(path), "en").pauses == 0


def test_the_browser_s_opus_in_webm_measures_as_the_wav(folder):
    path, _, _ = made(folder, "en", [0.8, 1.6], 170, "en-opus")
    pcm = samples.wav_pcm(path)
    recorded = samples.as_opus(pcm)
    assert len(recorded) < len(pcm.tobytes()) / 4  # compressed
    wav, opus = speech.measure(pcm, "en"), speech.measure(speech.decode(recorded), "en")
    assert abs(opus.duration - wav.duration) <= 0.1 and opus.pauses == wav.pauses == 2
    assert abs(opus.rate - wav.rate) <= 0.1 * wav.rate


def test_pocketsphinx_hears_the_english_sample_s_key_words(folder):
    # espeak-ng's Klatt voice: of espeak's voices the one PocketSphinx's small US model hears best (it hears synthetic
    # speech poorly — "Good morning" comes out as other words — which is why the page calls its transcript rough).
    phrases = [p for p, _ in EN]
    path, _ = samples.spliced(phrases, [0.8, 1.6], "en-us+klatt2", 150, folder, "en-asr")
    metrics = speech.measure(samples.wav_pcm(path), "en", speech.recognizer_for("en"))
    assert metrics.recognizer == "pocketsphinx-en-us"
    assert "two minutes of your time" in metrics.transcript and "office" in metrics.transcript.split()
    assert metrics.fillers == speech.count_fillers(metrics.transcript, "en")


def test_filler_words_are_counted_as_words():
    assert speech.count_fillers("um so uh you know the umbrella er", "en") == 4  # not the "um" of umbrella
    assert speech.count_fillers("嗯，那个，我们的打印机呃比较省钱", "zh-CN") == 3
    assert speech.count_fillers("", "en") == 0


def test_no_recogniser_for_chinese_unless_the_site_plugs_one_in(monkeypatch):
    assert speech.recognizer_for("zh-CN") is None
    plugged = speech.recognizer_for("zh-CN", "zh-CN=tests.fake_recognizer:make")
    assert plugged.name == "site-zh" and plugged.transcribe(np.zeros(160, np.int16), speech.RATE) == "嗯 您好"
    with pytest.raises(ValueError, match=r"lang=package\.module:factory"):
        speech.parse_recognizers("zh-CN")


def test_silence_is_refused_as_nothing_said(folder):
    with pytest.raises(speech.SpeechInputError) as refused:
        speech.measure(samples.wav_pcm(samples.silence(3, folder / "quiet.wav")), "en")
    assert refused.value.code == "audio_silent"
    hiss = (np.random.default_rng(1).normal(0, 30, speech.RATE * 3)).astype(np.int16)  # a line's faint hiss
    with pytest.raises(speech.SpeechInputError):
        speech.measure(hiss, "en")


def test_clipping_is_measured(folder):
    path, _, _ = made(folder, "en", [0.8, 1.6], 170, "en-clip")
    loud = speech.measure(samples.wav_pcm(samples.louder(path, 12, folder / "en-clipped.wav")), "en")
    assert loud.clipped > speech.TARGETS["clipped"].high
    assert speech.verdicts(loud, "en")["clipped"] is False


@pytest.mark.parametrize(
    "data, code",
    [
        (b"", "audio_empty"),
        (os.urandom(50_000), "audio_unreadable"),
        (b"\x89PNG\r\n\x1a\n" + bytes(2000), "audio_unreadable"),
        (b"x" * (speech.MAX_BYTES + 1), "audio_too_big"),
    ],
    ids=["empty", "noise-bytes", "png", "huge"],
)
def test_files_that_are_not_a_recording_are_refused(data, code):
    with pytest.raises(speech.SpeechInputError) as refused:
        speech.decode(data)
    assert refused.value.code == code


def test_a_twenty_minute_recording_is_refused_without_decoding_it_all():
    minutes = np.zeros(speech.RATE * 60 * 20, np.int16)
    recorded = samples.as_opus(minutes)
    with pytest.raises(speech.SpeechInputError) as refused:
        speech.decode(recorded)
    assert refused.value.code == "audio_too_long" and refused.value.params == {"max_minutes": 3}


def test_a_recording_cut_off_mid_upload_is_refused_or_shorter(folder):
    path, _, _ = made(folder, "en", [0.8, 1.6], 170, "en-cut")
    recorded = samples.as_opus(samples.wav_pcm(path))
    try:
        pcm = speech.decode(recorded[: len(recorded) // 2])
    except speech.SpeechInputError as refused:
        assert refused.code in ("audio_unreadable", "audio_too_short")
    else:
        assert len(pcm) < len(samples.wav_pcm(path))


def test_a_second_is_the_least():
    with pytest.raises(speech.SpeechInputError) as refused:
        speech.decode(samples.as_opus(np.zeros(speech.RATE // 2, np.int16)))
    assert refused.value.code == "audio_too_short"


def test_pocketsphinx_decodes_only_speech_so_silence_gives_no_words():
    recognizer = speech.recognizer_for("en")
    rng = np.random.default_rng(29)
    hiss = rng.normal(0, 30, speech.RATE * 3).astype(np.int16)  # 3 s of room noise far below speech
    assert recognizer.transcribe(hiss, speech.RATE) == ""
