"""The hub as users start it: seconds until `python app.py` serves, and memory once every model
has been used once (models load lazily, on first use). Prints one JSON object.

    python bench/hub.py [--port 7899]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


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
            "sketch_to_photo": lambda: client.predict(sketch=handle_file(str(REPO / "demos/examples/sketch/car.png")),
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
        print(json.dumps({"benchmark": "hub", "ready_s": round(ready_s, 2), "rss_mb_idle": round(idle_mb, 1),
                          "rss_mb_all_models_loaded": round(rss_mb(server.pid), 1),
                          "first_call_s": first_calls}, indent=1))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
