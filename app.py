"""The GAN hub: one Gradio app with a tab per demo.

    python app.py [--host 0.0.0.0] [--port 7860] [--share] [--auth user:password] [--weights DIR|REPO]
                  [--device cpu|cuda] [--max-upload-mb 50] [--concurrency 2]

Every option has an environment variable (GANHUB_HOST, GANHUB_PORT, ...) for Hugging Face Spaces.
Models load on first use, once, so the hub is ready to serve in seconds.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

import gradio as gr

from demos import colorize, dogs, singan, sketch2photo, stylize

TABS = [("Sketch → photo", sketch2photo), ("Old-photo colourisation", colorize),
        ("Catholic2Gogh", stylize), ("Dog generation", dogs), ("SinGAN editing", singan)]


def build_app() -> gr.Blocks:
    with gr.Blocks(title="GAN hub") as app:
        gr.Markdown("# GAN hub\nImage-to-image and generative GANs, trained by this project's own scripts. "
                    "Each model's card (data, training, held-out metrics, limits) is in `weights/`.")
        for title, module in TABS:
            with gr.Tab(title):
                module.build_tab()
    return app


def parse_auth(values: list[str]) -> list[tuple[str, str]] | None:
    """user:password pairs, each given directly or as @file with one pair per line."""
    pairs = []
    for value in values:
        lines = Path(value[1:]).read_text().splitlines() if value.startswith("@") else [value]
        for line in filter(None, (line.strip() for line in lines)):
            user, sep, password = line.partition(":")
            if not sep or not user or not password:
                raise SystemExit(f"--auth expects user:password, got {line!r}")
            pairs.append((user, password))
    return pairs or None


def parse_args(argv=None):
    env = os.environ.get
    parser = argparse.ArgumentParser(description="Start the GAN hub.")
    parser.add_argument("--host", default=env("GANHUB_HOST", "127.0.0.1"), help="0.0.0.0 to serve the network")
    parser.add_argument("--port", type=int, default=int(env("GANHUB_PORT", "7860")))
    parser.add_argument("--share", action="store_true", default=env("GANHUB_SHARE") == "1",
                        help="also make a public *.gradio.live link (needs the internet)")
    parser.add_argument("--auth", action="append", default=[a for a in [env("GANHUB_AUTH")] if a],
                        help="user:password (repeatable) or @file with one pair per line")
    parser.add_argument("--weights", default=env("GANHUB_WEIGHTS"),
                        help="folder or Hugging Face Hub repo id holding the checkpoints (default: weights/)")
    parser.add_argument("--device", default=env("GANHUB_DEVICE"), help="cpu, cuda, cuda:1 ... (default: cuda if present)")
    parser.add_argument("--max-upload-mb", type=float, default=float(env("GANHUB_MAX_UPLOAD_MB", "50")))
    parser.add_argument("--concurrency", type=int, default=int(env("GANHUB_CONCURRENCY", "2")),
                        help="requests each model serves at once")
    parser.add_argument("--max-queue", type=int, default=int(env("GANHUB_MAX_QUEUE", "64")),
                        help="waiting requests beyond this are told the hub is busy")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.weights:
        os.environ["GANHUB_WEIGHTS"] = args.weights
    if args.device:
        os.environ["GANHUB_DEVICE"] = args.device
    app = build_app()
    app.queue(max_size=args.max_queue, default_concurrency_limit=args.concurrency)
    launch = dict(server_name=args.host, server_port=args.port, auth=parse_auth(args.auth),
                  max_file_size=int(args.max_upload_mb * 1024 * 1024))
    try:
        app.launch(share=args.share, **launch)
    except Exception as error:
        if not args.share:
            raise
        # No network for the share tunnel: say so, and keep serving locally.
        print(f"Warning: no public share link could be made ({type(error).__name__}: {error}). "
              f"Serving on http://{args.host}:{args.port} only.")
        app.launch(share=False, **launch)


if __name__ == "__main__":
    main()
