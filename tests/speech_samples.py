"""Synthetic speech for the spoken-practice tests: phrases said by Debian's espeak-ng at a known rate, trimmed of
espeak's own leading and trailing silence, then joined with silences of known length by sox — so the test knows the
recording's length, its pauses and its syllables exactly. sox runs without dither (-D): the same text makes the same
samples on every run.

Mandarin is given to espeak-ng as tone-numbered pinyin (voice cmn-latn-pinyin): Debian's build of the Mandarin
dictionary lacks most characters (it spells them out in English), while each pinyin syllable is one spoken syllable,
as a character is."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import numpy as np

RATE = 16_000


def tools_present() -> None:
    """espeak-ng and sox are installed by .ci/system-deps; without them these tests cannot say anything."""
    missing = [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]
    if missing:
        raise RuntimeError(f"missing {', '.join(missing)}: run `bash .ci/system-deps` (apt-get install espeak-ng sox)")


def say(text: str, voice: str, words_per_minute: int, path: Path) -> Path:
    """One phrase, trimmed of the silence espeak-ng puts around it, at 16 kHz mono."""
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-w", str(raw), text], check=True)
    trim = ["silence", "1", "0.01", "0.3%", "reverse", "silence", "1", "0.01", "0.3%", "reverse"]
    subprocess.run(["sox", "-D", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(path), *trim], check=True)
    raw.unlink()
    return path


def silence(seconds: float, path: Path) -> Path:
    """Digital silence (written here: sox's null input comes dithered, ±1 at random)."""
    import wave

    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(bytes(2 * round(seconds * RATE)))
    return path


def length(path: Path) -> float:
    return float(subprocess.run(["soxi", "-D", str(path)], check=True, capture_output=True, text=True).stdout)


def spliced(
    phrases: list[str], pauses: list[float], voice: str, words_per_minute: int, folder: Path, name: str
) -> tuple[Path, float]:
    """The phrases said one after another with the given silences between them: (the WAV, seconds of speech)."""
    assert len(pauses) == len(phrases) - 1
    parts: list[Path] = []
    speech = 0.0
    for n, phrase in enumerate(phrases):
        said = say(phrase, voice, words_per_minute, folder / f"{name}-{n}.wav")
        speech += length(said)
        parts.append(said)
        if n < len(pauses):
            parts.append(silence(pauses[n], folder / f"{name}-gap{n}.wav"))
    out = folder / f"{name}.wav"
    subprocess.run(["sox", "-D", *map(str, parts), str(out)], check=True)
    return out, speech


def louder(path: Path, factor: float, out: Path) -> Path:
    subprocess.run(["sox", "-D", "-v", str(factor), str(path), str(out)], check=True)
    return out


def as_opus(pcm: np.ndarray, rate: int = RATE, container: str = "webm") -> bytes:
    """16-bit mono PCM as the browser's MediaRecorder sends it: Opus in WebM (or Ogg)."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=container) as out:
        stream = out.add_stream("libopus", rate=48_000)
        stream.layout = "mono"
        stream.bit_rate = 24_000  # what the recorder asks the browser for (audioBitsPerSecond)
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48_000)
        step = rate // 10
        for start in range(0, len(pcm), step):
            frame = av.AudioFrame.from_ndarray(pcm[start : start + step].reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate = rate
            for resampled in resampler.resample(frame):
                for packet in stream.encode(resampled):
                    out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def wav_pcm(path: Path) -> np.ndarray:
    """The samples of a 16-bit mono WAV that sox wrote."""
    import wave

    with wave.open(str(path)) as wav:
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.int16)


OPENING = ["Good morning this is Lin from Bright Office", "may I have two minutes", "how many printers do you have"]


def opening(folder: Path) -> Path:
    """The spoken drills' test take: an English opening with two pauses (0.8 s and 0.9 s)."""
    tools_present()
    path, _ = spliced(OPENING, [0.8, 0.9], "en-us", 160, folder, "opening")
    return path
