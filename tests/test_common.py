"""The page wrapper every tab uses: errors become messages, images become files of their own."""
import os
import time

import gradio as gr
import pytest
from PIL import Image

from core.images import ImageInputError
from demos import common


def test_identical_images_become_separate_complete_files():
    image = Image.new("RGB", (32, 16), "red")
    photo, same_photo, _ = common.for_the_page(lambda: (image, image, {"cat": 0.5}))
    paths = [photo, same_photo, *common.for_the_page(lambda: [image])]
    assert len(set(paths)) == 3
    for path in paths:
        with Image.open(path) as saved:
            assert saved.size == (32, 16) and saved.getpixel((0, 0)) == (255, 0, 0)


def test_label_and_note_pass_through():
    photo, label = common.for_the_page(lambda: (Image.new("RGB", (8, 8)), {"cat": 0.9}, None))
    assert label == {"cat": 0.9} and photo.endswith(".png")


def test_our_errors_are_shown_and_others_are_generic(caplog):
    def bad_upload():
        raise ImageInputError("This file is not an image.")

    def bug():
        raise KeyError("internal detail")

    with pytest.raises(gr.Error, match="This file is not an image."):
        common.for_the_page(bad_upload)
    with pytest.raises(gr.Error) as error:
        common.for_the_page(bug)
    assert "internal detail" not in str(error.value) and "KeyError" in str(error.value)
    logged = [record for record in caplog.records if record.name == "ganhub"]
    assert len(logged) == 1 and "bug" in logged[0].getMessage() and logged[0].exc_info  # the trace is in the log


def test_old_outputs_are_pruned(monkeypatch, tmp_path):
    monkeypatch.setattr(common, "OUTPUT_DIR", tmp_path)
    old = common.output_path("old.png")
    old.write_bytes(b"x")
    an_hour_ago = time.time() - common.KEEP_OUTPUTS_S - 10
    os.utime(old.parent, (an_hour_ago, an_hour_ago))
    new = common.output_path("new.png")
    assert not old.parent.exists() and new.parent.exists()


def test_a_weights_folder_with_some_checkpoints_falls_back_to_the_shipped_ones(monkeypatch, tmp_path):
    """GANHUB_WEIGHTS holding only a new dog generator: the other tabs keep their shipped models,
    and the page says where each model came from."""
    import shutil
    from demos import stylize
    shutil.copytree(common.REPO_WEIGHTS / "dogs", tmp_path / "dogs")
    monkeypatch.setenv("GANHUB_WEIGHTS", str(tmp_path))
    common.clear_models()
    try:
        assert common.weights_source("dogs") == str(tmp_path / "dogs")
        assert common.weights_source("colorizer") == str(common.REPO_WEIGHTS / "colorizer")
        assert common.get_model("colorizer") is not None
        assert "starry_night" in stylize.style_names()
        note = common.source_note(["dogs", "colorizer"])
        assert f"your folder ({tmp_path / 'dogs'})" in note and "shipped (`weights/colorizer`)" in note
    finally:
        common.clear_models()


def test_an_unreachable_hub_repo_falls_back_to_the_shipped_checkpoint(monkeypatch):
    monkeypatch.setenv("GANHUB_WEIGHTS", "nobody/no-such-ganhub-weights")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    common.clear_models()
    try:
        assert common.weights_source("dogs") == "hf://nobody/no-such-ganhub-weights/dogs"
        model = common.get_model("dogs")
        assert model.registry_name == "dcgan_generator"
    finally:
        common.clear_models()
