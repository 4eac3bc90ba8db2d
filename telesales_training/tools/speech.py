"""Spoken practice measured from the audio, on the CPU, offline: duration, speaking time, pauses, speaking rate,
pitch range, loudness and clipping, and — where a recogniser for the language is installed — a transcript with its
filler words counted.

No UI, no storage. The audio comes in as the bytes the browser recorded (WebM/Opus, Ogg, WAV, MP3…) and is decoded
with PyAV (FFmpeg's libraries, shipped in its wheel) to 16 kHz mono. Speech is found with the WebRTC voice-activity
detector (`webrtcvad`); syllables are the intensity peaks of voiced speech (Praat's intensity and pitch through
`praat-parselmouth`, after de Jong & Wempe's syllable-nuclei method) — in Chinese a character is a syllable, so
the rate means the same in both languages. The figures' targets are in `TARGETS`; the course gives only the
opening's "first few tens of seconds", the rest are this workbook's rules of thumb and are labelled so.

The recogniser sits behind one small interface (`Recognizer`): English is PocketSphinx's own model (in its wheel);
a site plugs in a model it has installed for another language with TELESALES_RECOGNIZERS
("zh-CN=package.module:factory"), the factory returning an object with `name` and `transcribe(pcm, rate)`.
"""

from __future__ import annotations

import importlib
import io
import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Protocol

from pydantic import Field

from ..core.inputs import InputProblem
from .toolstate import ToolState

if TYPE_CHECKING:  # numpy is imported where audio is measured, not by every page that shows a spoken task
    import numpy as np

RATE = 16_000  # Hz: what the detector, Praat and the recogniser read
FRAME_MS = 30  # the detector's frame
VAD_MODE = 3  # the detector's most selective setting: phone-room noise is not speech
LEAST_SPEECH = 0.09  # s: a shorter burst of "speech" is a click or a breath
PAUSE = 0.5  # s: a silence this long between stretches of speech is a pause a listener notices (rule of thumb)
STRETCH_PAD = 0.2  # s: silence kept either side of a stretch of speech handed to the recogniser
MAX_SECONDS = 180  # a recording longer than this is refused: the drills are about the first minute of a call
MIN_SECONDS = 1.0
MAX_BYTES = 8 * 1024 * 1024  # three minutes even as uncompressed 16-bit WAV
CLIPPED = 0.999  # a sample at (or over) this share of full scale is clipped
SILENT_DBFS = -50.0  # quieter than this over the whole recording: nothing was said
DIP_DB = 2.0  # the dip between two intensity peaks that makes them two syllables
PEAK_BELOW_MAX_DB = 25.0  # a syllable's peak is at most this far below the loudest part

FILLERS = {
    "en": ("um", "uh", "er", "erm", "ah", "hmm", "mm", "you know", "i mean"),
    "zh": ("嗯", "呃", "额", "啊", "那个", "就是说", "然后呢"),
}


class SpeechInputError(InputProblem):
    """A recording that cannot be measured; `code` names a ui string."""


class SpokenTake(ToolState):
    """A spoken drill's save: the recording kept in the store (its id and attempt number, 1 = the first try) and the
    figures measured in it. The audio and the reviews are the store's recordings (storage/recordings.py)."""

    recording: int
    attempt: int = Field(ge=1)
    duration: float = Field(ge=0)
    rate: float = Field(ge=0)
    pauses: int = Field(ge=0)


class Metrics(ToolState):
    """What was measured in one recording (stored beside it)."""

    duration: float = Field(ge=0)  # s, the whole recording
    speaking: float = Field(ge=0)  # s, inside the stretches of speech
    pauses: int = Field(ge=0)  # silences of PAUSE or more between stretches of speech
    longest_pause: float = Field(ge=0)  # s (0 without a pause)
    syllables: int = Field(ge=0)
    rate: float = Field(ge=0)  # syllables per second of speaking
    pitch_range: float | None = None  # semitones between the 10th and 90th percentile of the voiced pitch
    loudness: float  # dBFS, the speech's RMS level
    clipped: float = Field(ge=0, le=1)  # the share of samples at full scale
    transcript: str | None = None  # None: no recogniser for the language
    fillers: int | None = None
    recognizer: str | None = None


@dataclass(frozen=True)
class Target:
    """A figure's good range, and whether the course states it (False: this workbook's rule of thumb)."""

    low: float | None
    high: float | None
    from_course: bool = False

    def met(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


# The opening must win the customer in its first few tens of seconds (lesson 03, the course); the rest are rules of
# thumb: a rate a listener follows on the phone, no dead air, a voice that moves, a level the line carries.
TARGETS = {
    "opening_seconds": Target(None, 30, from_course=True),
    "rate_zh": Target(3.5, 5.5),
    "rate_en": Target(3.0, 5.0),
    "longest_pause": Target(None, 2.0),
    "pitch_range": Target(4.0, None),
    "loudness": Target(-30.0, -6.0),
    "clipped": Target(None, 0.005),
    "fillers_per_minute": Target(None, 4.0),
}


class Recognizer(Protocol):
    """Speech to text for one language: 16-bit mono PCM at `rate` Hz in, words out (spaces between them)."""

    name: str

    def transcribe(self, pcm: np.ndarray, rate: int) -> str: ...


class PocketSphinx:
    """English with PocketSphinx's own US-English model (shipped in its wheel)."""

    name = "pocketsphinx-en-us"

    def __init__(self) -> None:
        from pocketsphinx import Decoder

        # A narrower search than the defaults — fewer active HMMs per frame, a narrower phone beam, three Gaussians per
        # frame, phone-loop lookahead — and no second (flat-lexicon) pass, as live decoders run: about twice as fast
        # as the defaults with as many words right on a minute of synthetic speech (bench/speech_analysis.py prints
        # the ratio; tests/test_speech.py checks the English sample's key words).
        self._decoder = Decoder(
            samprate=RATE, loglevel="FATAL", maxhmmpf=3000, pbeam=1e-40, topn=3, pl_window=5, fwdflat=False
        )

    def transcribe(self, pcm: np.ndarray, rate: int) -> str:
        """Only the stretches of speech are decoded, each as its own utterance (with STRETCH_PAD of silence either
        side): the pauses cost nothing, and no words are made up from the noise in them."""
        import numpy as np

        if rate != RATE:
            raise ValueError(f"PocketSphinx is set up for {RATE} Hz")
        samples = pcm.astype(np.int16, copy=False)
        words = []
        for start, end in speech_stretches(samples, rate):
            piece = samples[max(0, int((start - STRETCH_PAD) * rate)) : int((end + STRETCH_PAD) * rate)]
            self._decoder.start_utt()
            self._decoder.process_raw(piece.tobytes(), full_utt=True)
            self._decoder.end_utt()
            hypothesis = self._decoder.hyp()
            if hypothesis and hypothesis.hypstr.strip():
                words.append(hypothesis.hypstr.strip())
        return " ".join(words)


BUILT_IN: dict[str, Callable[[], Recognizer]] = {"en": PocketSphinx}


def _family(lang: str) -> str:
    return "zh" if lang.lower().startswith("zh") else "en"


def parse_recognizers(spec: str) -> dict[str, str]:
    """ "zh-CN=pkg.mod:factory, en=pkg.other:make" → {"zh-CN": "pkg.mod:factory", ...}; ValueError naming the part
    that cannot be read."""
    found = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        lang, _, target = part.partition("=")
        if not lang.strip() or not re.fullmatch(r"[\w.]+:\w+", target.strip()):
            raise ValueError(f"{part!r}: write a recogniser as lang=package.module:factory")
        found[lang.strip()] = target.strip()
    return found


@cache
def recognizer_for(lang: str, spec: str = "") -> Recognizer | None:
    """The recogniser for `lang`: the site's (TELESALES_RECOGNIZERS, by exact language, then zh / en) or the built-in
    one; None when there is none for the language."""
    configured = parse_recognizers(spec)
    target = configured.get(lang) or configured.get(_family(lang))
    if target:
        module, _, factory = target.partition(":")
        return getattr(importlib.import_module(module), factory)()
    make = BUILT_IN.get(_family(lang))
    return make() if make else None


def count_fillers(transcript: str, lang: str) -> int:
    """Filler words in a transcript: whole words in English ("um" not in "umbrella"), the terms in Chinese."""
    text = transcript.lower()
    if _family(lang) == "en":
        return sum(len(re.findall(rf"(?<![\w']){re.escape(filler)}(?![\w'])", text)) for filler in FILLERS["en"])
    return sum(text.count(filler) for filler in FILLERS["zh"])


def decode(data: bytes) -> np.ndarray:
    """The recording as 16-bit mono PCM at RATE; SpeechInputError when it is empty, too big, not audio or too long."""
    import av
    import numpy as np

    if not data:
        raise SpeechInputError("audio_empty")
    if len(data) > MAX_BYTES:
        raise SpeechInputError("audio_too_big", max_mb=MAX_BYTES // (1024 * 1024))
    chunks: list[np.ndarray] = []
    samples = 0
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            stream = next((s for s in container.streams if s.type == "audio"), None)
            if stream is None:
                raise SpeechInputError("audio_unreadable")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1)
                    chunks.append(chunk)
                    samples += len(chunk)
                if samples > (MAX_SECONDS + 1) * RATE:
                    raise SpeechInputError("audio_too_long", max_minutes=MAX_SECONDS // 60)
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except SpeechInputError:
        raise
    except (av.FFmpegError, ValueError, StopIteration, EOFError, OSError):
        raise SpeechInputError("audio_unreadable") from None
    pcm = np.concatenate(chunks).astype(np.int16) if chunks else np.zeros(0, np.int16)
    if len(pcm) > MAX_SECONDS * RATE:
        raise SpeechInputError("audio_too_long", max_minutes=MAX_SECONDS // 60)
    if len(pcm) < MIN_SECONDS * RATE:
        raise SpeechInputError("audio_too_short", min_seconds=MIN_SECONDS)
    return pcm


def speech_stretches(pcm: np.ndarray, rate: int = RATE) -> list[tuple[float, float]]:
    """(start, end) in seconds of each stretch of speech: the detector's speech frames, bursts under LEAST_SPEECH
    dropped, stretches closer than PAUSE joined (a shorter silence is part of speaking)."""
    import webrtcvad

    detector = webrtcvad.Vad(VAD_MODE)
    size = rate * FRAME_MS // 1000
    step = FRAME_MS / 1000
    raw: list[list[float]] = []
    start = None
    count = len(pcm) // size
    for n in range(count):
        speech = detector.is_speech(pcm[n * size : (n + 1) * size].tobytes(), rate)
        if speech and start is None:
            start = n
        elif not speech and start is not None:
            raw.append([start * step, n * step])
            start = None
    if start is not None:
        raw.append([start * step, count * step])
    joined: list[list[float]] = []
    for begin, end in raw:
        if end - begin < LEAST_SPEECH:
            continue
        if joined and begin - joined[-1][1] < PAUSE:
            joined[-1][1] = end
        else:
            joined.append([begin, end])
    return [(round(a, 3), round(b, 3)) for a, b in joined]


def _inside(moment: float, stretches: Sequence[tuple[float, float]]) -> bool:
    return any(a <= moment <= b for a, b in stretches)


def syllable_nuclei(sound, stretches: Sequence[tuple[float, float]], pitch) -> int:
    """Syllables counted as peaks of the intensity contour (de Jong & Wempe): above the loudest part less
    PEAK_BELOW_MAX_DB and above the median, parted from the peak before by a dip of DIP_DB, voiced, inside speech."""
    import numpy as np

    intensity = sound.to_intensity(minimum_pitch=50, time_step=0.01)
    times, values = intensity.xs(), intensity.values[0]
    if len(values) < 3:
        return 0
    floor = max(float(np.percentile(values, 99)) - PEAK_BELOW_MAX_DB, float(np.median(values)))
    peaks = [n for n in range(1, len(values) - 1) if values[n] > values[n - 1] and values[n] >= values[n + 1]]
    kept: list[int] = []
    for n in peaks:
        if values[n] <= floor:
            continue
        if kept and min(values[kept[-1]], values[n]) - values[kept[-1] : n + 1].min() < DIP_DB:
            if values[n] > values[kept[-1]]:
                kept[-1] = n  # one syllable: keep its higher peak
            continue
        kept.append(n)
    return sum(1 for n in kept if _inside(times[n], stretches) and not math.isnan(pitch.get_value_at_time(times[n])))


def pitch_range(pitch) -> float | None:
    """Semitones between the 10th and 90th percentile of the voiced pitch; None with too little voice to say."""
    import numpy as np

    hertz = pitch.selected_array["frequency"]
    voiced = hertz[hertz > 0]
    if len(voiced) < 20:
        return None
    semitones = 12 * np.log2(voiced / 100.0)
    return round(float(np.percentile(semitones, 90) - np.percentile(semitones, 10)), 2)


def _dbfs(samples: np.ndarray) -> float:
    import numpy as np

    if len(samples) == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(np.square(samples.astype(np.float64) / 32768.0))))
    return round(20 * math.log10(rms), 2) if rms > 0 else -120.0


def measure(pcm: np.ndarray, lang: str, recognizer: Recognizer | None = None) -> Metrics:
    """Every figure of one recording (16-bit mono PCM at RATE). SpeechInputError "audio_silent" when nothing in it
    is speech."""
    import numpy as np
    import parselmouth

    duration = round(len(pcm) / RATE, 3)
    clipped = round(float(np.mean(np.abs(pcm.astype(np.int32)) >= CLIPPED * 32767)), 5) if len(pcm) else 0.0
    stretches = speech_stretches(pcm)
    if not stretches or _dbfs(pcm) < SILENT_DBFS:
        raise SpeechInputError("audio_silent")
    speaking = round(sum(b - a for a, b in stretches), 3)
    gaps = [b[0] - a[1] for a, b in itertools.pairwise(stretches)]
    speech = np.concatenate([pcm[int(a * RATE) : int(b * RATE)] for a, b in stretches])
    sound = parselmouth.Sound(pcm.astype(np.float64) / 32768.0, sampling_frequency=RATE)
    pitch = sound.to_pitch(time_step=0.01, pitch_floor=75, pitch_ceiling=500)
    syllables = syllable_nuclei(sound, stretches, pitch)
    transcript = fillers = name = None
    if recognizer is not None:
        transcript = recognizer.transcribe(pcm, RATE).strip()
        fillers, name = count_fillers(transcript, lang), recognizer.name
    return Metrics(
        duration=duration,
        speaking=speaking,
        pauses=len(gaps),
        longest_pause=round(max(gaps, default=0.0), 3),
        syllables=syllables,
        rate=round(syllables / speaking, 2) if speaking else 0.0,
        pitch_range=pitch_range(pitch),
        loudness=_dbfs(speech),
        clipped=clipped,
        transcript=transcript,
        fillers=fillers,
        recognizer=name,
    )


def analyse(data: bytes, lang: str, recognizers: str = "") -> Metrics:
    """A recording's bytes measured (decode, then measure) with the language's recogniser, if any."""
    return measure(decode(data), lang, recognizer_for(lang, recognizers))


def _per_minute(metrics: Metrics) -> float | None:
    if metrics.fillers is None or not metrics.speaking:
        return None
    return metrics.fillers / (metrics.speaking / 60)


def _targets(lang: str, target_seconds: int | None) -> dict[str, Target]:
    found = {
        "rate": TARGETS[f"rate_{_family(lang)}"],
        "longest_pause": TARGETS["longest_pause"],
        "pitch_range": TARGETS["pitch_range"],
        "loudness": TARGETS["loudness"],
        "clipped": TARGETS["clipped"],
        "fillers": TARGETS["fillers_per_minute"],
    }
    if target_seconds:
        found["duration"] = Target(None, target_seconds, from_course=True)
    return found


def verdicts(metrics: Metrics, lang: str, target_seconds: int | None = None) -> dict[str, bool | None]:
    """Per figure whether it is inside its target (None: not measured, or no target for it). `target_seconds` is the
    drill's own limit for the take (the opening's first tens of seconds), when it has one."""
    values = {
        "duration": metrics.duration,
        "rate": metrics.rate,
        "longest_pause": metrics.longest_pause,
        "pitch_range": metrics.pitch_range,
        "loudness": metrics.loudness,
        "clipped": metrics.clipped,
        "fillers": _per_minute(metrics),
    }
    targets = _targets(lang, target_seconds)
    return {key: targets[key].met(value) if key in targets else None for key, value in values.items()}


def _number(value: float) -> str:
    return f"{value:g}"


def target_texts(lang: str, target_seconds: int | None = None) -> dict[str, tuple[str, bool]]:
    """Each figure's target as shown beside it ("≤ 30 s", "3.5–5.5"), and whether the course states it."""
    units = {"duration": " s", "longest_pause": " s", "loudness": " dBFS", "fillers": "/min", "clipped": " %"}
    shown = {}
    for key, target in _targets(lang, target_seconds).items():
        scale = 100 if key == "clipped" else 1
        low = None if target.low is None else _number(target.low * scale)
        high = None if target.high is None else _number(target.high * scale)
        unit = units.get(key, "")
        between = " … " if low and low.startswith("-") else "–"  # "-30 … -6 dBFS", "3.5–5.5"
        text = f"{low}{between}{high}{unit}" if low and high else f"≤ {high}{unit}" if high else f"≥ {low}{unit}"
        shown[key] = (text, target.from_course)
    return shown
