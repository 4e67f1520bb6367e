"""The hub as users start it: seconds until `python app.py` serves, memory once every model has
been used once (models load lazily, on first use), and each image endpoint's time on awkward
uploads (a dark photo, noise, a strip, a huge flat image) with the slowest pair: every request must
answer, with a result or a clear error, in bounded time (README, "Limits"). Prints one JSON object.

    python bench/hub.py [--port 7899]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent


# Uploads whose size or content once made a request's cost depend on them, not on the model.
AWKWARD_UPLOADS = {
    "dark photo 2400x1800": lambda rng: Image.fromarray(
        np.clip(rng.normal(22, 4, (1800, 2400, 3)), 0, 255).astype(np.uint8)),
    "noise 2048x2048": lambda rng: Image.fromarray(rng.integers(0, 256, (2048, 2048, 3), dtype=np.uint8)),
    "strip 4000x12": lambda rng: Image.new("RGB", (4000, 12), (90, 120, 60)),
    "flat 6000x6000": lambda rng: Image.new("RGB", (6000, 6000), (128, 128, 128)),
}


def awkward_upload(name: str) -> Image.Image:
    return AWKWARD_UPLOADS[name](np.random.default_rng(0))


def timed(call) -> float:
    """Seconds until the call answered, with a result or an error."""
    start = time.perf_counter()
    try:
        call()
    except Exception:  # a clear error is an answer too (the tests check the messages)
        pass
    return round(time.perf_counter() - start, 2)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=7899)
    args = parser.parse_args()
    url = f"http://127.0.0.1:{args.port}/"
    start = time.perf_counter()
    server = subprocess.Popen([sys.executable, "app.py", "--port", str(args.port)], cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                urllib.request.urlopen(url, timeout=1)
                break
            except OSError:
                if time.perf_counter() - start > 120 or server.poll() is not None:
                    raise SystemExit("the hub did not start")
                time.sleep(0.1)
        ready_s = time.perf_counter() - start
        idle_mb = rss_mb(server.pid)
        from gradio_client import Client, handle_file
        client = Client(url, verbose=False)
        first_calls = {}
        calls = {
            "sketch_to_photo": lambda: client.predict(
                sketch=handle_file(str(REPO / "demos/examples/sketch/car_(sedan)__n04166281_4915-8.png")),
                api_name="/sketch_to_photo"),
            "colorize": lambda: client.predict(photo=handle_file(str(REPO / "demos/examples/colorize/1870sSphinx.jpg")),
                                               render_size=512, api_name="/colorize"),
            "stylize": lambda: client.predict(photo=handle_file(str(REPO / "demos/examples/stylize/Path.jpg")),
                                              style="starry_night", api_name="/stylize"),
            "generate_dogs": lambda: client.predict(seed=0, truncation=0.5, count=16, api_name="/generate_dogs"),
        }
        for name, call in calls.items():
            t = time.perf_counter()
            call()
            first_calls[name] = round(time.perf_counter() - t, 2)
        awkward = {}
        with tempfile.TemporaryDirectory() as folder:
            for case in AWKWARD_UPLOADS:
                path = Path(folder) / "upload.png"
                awkward_upload(case).save(path, compress_level=1)
                f = lambda: handle_file(str(path))
                endpoints = {
                    "sketch_to_photo": lambda: client.predict(sketch=f(), api_name="/sketch_to_photo"),
                    "colorize": lambda: client.predict(photo=f(), render_size=512, api_name="/colorize"),
                    "stylize": lambda: client.predict(photo=f(), style="vangogh", api_name="/stylize"),
                    "singan_edit": lambda: client.predict(model="balloons", image=f(), mask=f(), start_scale=2,
                                                          seed=0, api_name="/singan_edit"),
                    "singan_paint": lambda: client.predict(model="balloons", image=f(), start_scale=1, seed=0,
                                                           api_name="/singan_paint"),
                    "singan_super_resolve": lambda: client.predict(model="balloons", image=f(), factor=4, seed=0,
                                                                   api_name="/singan_super_resolve"),
                }
                for endpoint, call in endpoints.items():
                    awkward[f"{endpoint} / {case}"] = timed(call)
        slowest = max(awkward, key=awkward.get)
        print(json.dumps({"benchmark": "hub", "ready_s": round(ready_s, 2), "rss_mb_idle": round(idle_mb, 1),
                          "rss_mb_all_models_loaded": round(rss_mb(server.pid), 1),
                          "first_call_s": first_calls, "awkward_upload_s": awkward,
                          "slowest_awkward": {"pair": slowest, "seconds": awkward[slowest]}}, indent=1))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
