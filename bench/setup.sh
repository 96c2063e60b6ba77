#!/usr/bin/env bash
# Benchmark-only setup: the baseline in ingest_bench.py calls the system ffprobe.
set -euo pipefail
if ! command -v ffprobe >/dev/null; then
    apt-get update -qq && apt-get install -y -qq ffmpeg >/dev/null
fi
ffprobe -version | head -1
