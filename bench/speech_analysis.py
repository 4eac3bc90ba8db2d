"""Spoken practice on this machine (issue 29): how long the analysis of a 60-second recording takes, its peak memory,
and the ratio to the recording's own length (goal ≤ 0.1× real time).

The recording is made the way the tests make theirs — English phrases said by espeak-ng with pauses spliced in by
sox, 60 s in all — then encoded as the browser sends it (Opus in WebM, 24 kbit/s). Each measurement runs in a fresh
Python process (so the peak memory is that of one analysis, imports included) and is repeated; medians:

- figures: decode + speech stretches, pauses, syllables, pitch, loudness (what the trainee sees at once);
- transcript: PocketSphinx's English transcript and filler count (shown when it is ready, after the figures);
- both: the whole analysis in one process.

Run: .venv/bin/python bench/speech_analysis.py [--rounds 3] [--check]
(--check exits 1 when the whole analysis misses 0.1×)
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests import speech_samples as samples  # noqa: E402

SECONDS = 60.0
GOAL = 0.1
PHRASES = [
    "Good morning this is Lin from Bright Office",
    "may I have two minutes of your time",
    "we help companies cut their printing costs",
    "how many pages do you print in a month",
    "and who looks after the printers today",
]
CHILD = """
import json, resource, sys, time
data = open(sys.argv[1], "rb").read()
started = time.perf_counter()
from telesales_training.tools import speech
pcm = speech.decode(data)
part = sys.argv[2]
if part == "figures":
    speech.measure(pcm, "en")
elif part == "transcript":
    speech.recognizer_for("en").transcribe(pcm, speech.RATE)
else:
    speech.measure(pcm, "en", speech.recognizer_for("en"))
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def recording(folder: Path) -> Path:
    """About SECONDS of speech and pauses, as WebM/Opus."""
    parts, pauses = [], []
    while sum(samples.length(p) for p in parts) + sum(pauses) < SECONDS:
        n = len(parts)
        parts.append(samples.say(PHRASES[n % len(PHRASES)], "en-us", 150 + 10 * (n % 3), folder / f"p{n}.wav"))
        pauses.append(0.4 + 0.3 * (n % 4))
    joined = []
    for n, part in enumerate(parts):
        joined.append(part)
        joined.append(samples.silence(pauses[n], folder / f"s{n}.wav"))
    out = folder / "minute.wav"
    subprocess.run(["sox", *map(str, joined), str(out), "trim", "0", str(SECONDS)], check=True)
    webm = folder / "minute.webm"
    webm.write_bytes(samples.as_opus(samples.wav_pcm(out)))
    return webm


def run(path: Path, part: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), part], check=True, capture_output=True, text=True, cwd=ROOT
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    samples.tools_present()
    with tempfile.TemporaryDirectory() as tmp:
        path = recording(Path(tmp))
        length = samples.length(Path(tmp) / "minute.wav")
        print(f"recording: {length:.1f} s of English speech and pauses, {path.stat().st_size / 1024:.0f} KiB WebM/Opus")
        results = {}
        for part in ("figures", "transcript", "both"):
            runs = [run(path, part) for _ in range(args.rounds)]
            seconds = statistics.median(r["seconds"] for r in runs)
            peak = max(r["peak_mb"] for r in runs)
            results[part] = seconds / length
            print(f"{part:10s}: {seconds:5.2f} s  peak {peak:5.0f} MB  ratio {seconds / length:.3f}× real time")
    whole, figures = results["both"], results["figures"]
    print(f"the whole analysis {whole:.3f}× real time (goal <= {GOAL}×); the figures alone {figures:.3f}×")
    if args.check and results["both"] > GOAL:
        print("the analysis misses the goal", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
