"""The GAN hub: one Gradio app with a tab per demo.

    python app.py [--host 0.0.0.0] [--port 7860] [--share]
"""
from __future__ import annotations

import argparse
import os

import gradio as gr

from demos import colorize, sketch2photo, stylize

TABS = [("Sketch → photo", sketch2photo), ("Old-photo colourisation", colorize),
        ("Catholic2Gogh", stylize)]


def build_app() -> gr.Blocks:
    with gr.Blocks(title="GAN hub") as app:
        gr.Markdown("# GAN hub\nImage-to-image and generative GANs, trained by this project's own scripts.")
        for title, module in TABS:
            with gr.Tab(title):
                module.build_tab()
    return app


def main(argv=None):
    parser = argparse.ArgumentParser(description="Start the GAN hub.")
    parser.add_argument("--host", default=os.environ.get("GANHUB_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("GANHUB_PORT", "7860")))
    parser.add_argument("--share", action="store_true", default=os.environ.get("GANHUB_SHARE") == "1",
                        help="also make a public *.gradio.live link (needs the internet)")
    args = parser.parse_args(argv)
    app = build_app()
    app.queue(max_size=64, default_concurrency_limit=2)
    try:
        app.launch(server_name=args.host, server_port=args.port, share=args.share)
    except Exception as error:
        if not args.share:
            raise
        # No network for the share tunnel: say so, and keep serving locally.
        print(f"Warning: no public share link ({error}); serving on http://{args.host}:{args.port} only.")
        app.launch(server_name=args.host, server_port=args.port, share=False)


if __name__ == "__main__":
    main()
