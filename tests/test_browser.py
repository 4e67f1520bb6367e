"""End to end in a real browser (Debian's chromium driven by Playwright): draw, generate, switch tabs.

Screenshots go to $GANHUB_SCREENSHOTS when set (the README's come from here), else a temp folder.
"""
import math
import os
import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def page(hub_url):
    from playwright.sync_api import sync_playwright
    if not Path(CHROMIUM).exists():
        message = (f"{CHROMIUM} is missing, so the browser test cannot run: install Debian's chromium "
                   "(`apt-get install chromium`, as root or with sudo) to enable it; .ci/run installs it")
        if os.environ.get("CI") == "true":  # CI installed it, so its absence is a failure there
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.goto(hub_url)
        page.wait_for_selector("#sketchpad canvas", timeout=30_000)
        yield page
        browser.close()


def wait_for_images(page, selector: str, count: int = 1):
    """Until `count` images under `selector` have loaded (not only been added to the page)."""
    page.wait_for_function("([selector, count]) => { const images = [...document.querySelectorAll(selector)];"
                           " return images.length >= count && images.every(i => i.complete && i.naturalWidth > 0); }",
                           arg=[selector, count], timeout=60_000)


def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("GANHUB_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def ellipse(left, top, right, bottom, start=0.0, end=1.0, points=40):
    """Canvas points (in 512×512 drawing units) around an ellipse, from `start` to `end` turns."""
    cx, cy, rx, ry = (left + right) / 2, (top + bottom) / 2, (right - left) / 2, (bottom - top) / 2
    turns = [start + (end - start) * i / points for i in range(points + 1)]
    return [(cx + rx * math.cos(2 * math.pi * t), cy + ry * math.sin(2 * math.pi * t)) for t in turns]


def draw(page, points):
    """One pen stroke through `points`, given in the 512×512 drawing's units. The editor shows the
    drawing centred in its canvas element at the zoom it displays (e.g. "56%")."""
    box = page.locator("#sketchpad canvas").first.bounding_box()
    zoom = float(page.locator("#sketchpad").get_by_text(re.compile(r"^\d+%$")).first.inner_text()[:-1]) / 100
    left, top = box["x"] + box["width"] / 2 - 256 * zoom, box["y"] + box["height"] / 2 - 256 * zoom
    at = lambda x, y: (left + x * zoom, top + y * zoom)
    page.mouse.move(*at(*points[0]))
    page.mouse.down()
    for point in points[1:]:
        page.mouse.move(*at(*point), steps=2)
    page.mouse.up()


def test_drawn_teapot_is_named_and_painted_then_switch_tabs(page, tmp_path):
    page.click("#sketchpad button[aria-label='Brush']")
    draw(page, ellipse(140, 200, 380, 400))                           # the body
    draw(page, [(150, 270), (80, 210), (155, 320)])                   # the spout
    draw(page, ellipse(340, 230, 440, 350, start=-0.25, end=0.25))    # the handle
    draw(page, [(220, 200), (300, 200)])                              # the lid
    draw(page, ellipse(240, 165, 280, 200))                           # its knob
    page.click("#draw-generate")
    wait_for_images(page, "#sketch-photo img")
    page.wait_for_selector("#sketch-label", timeout=10_000)
    lines = [line.strip() for line in page.locator("#sketch-label").inner_text().splitlines() if line.strip()]
    assert lines[1] == "teapot", lines  # under the component's title, the first guess
    page.screenshot(path=str(shots(tmp_path) / "sketch2photo.png"), full_page=True)

    page.get_by_role("tab", name="Old-photo colourisation").click()
    page.locator("#colorize-upload input[type=file]").set_input_files("demos/examples/colorize/1870sSphinx.jpg")
    page.click("#colorize-button")
    wait_for_images(page, "#colorize-slider img", 2)
    page.screenshot(path=str(shots(tmp_path) / "colorize.png"), full_page=True)

    for tab, button, output in (("Catholic2Gogh", "#stylize-button", "#stylize-painting img"), ("Dog generation", "#dogs-generate",
                                                                             "#dogs-gallery img")):
        page.get_by_role("tab", name=tab).click()
        if tab == "Catholic2Gogh":
            page.locator("#stylize-upload input[type=file]").set_input_files("demos/examples/stylize/Path.jpg")
        page.click(button)
        page.wait_for_timeout(500)
        wait_for_images(page, output)
        page.screenshot(path=str(shots(tmp_path) / f"{tab.lower().replace(' ', '_')}.png"), full_page=True)
    assert page.locator("text=Error").count() == 0


def test_singan_samples_and_a_painted_edit(page, tmp_path):
    page.get_by_role("tab", name="SinGAN editing").click()
    page.click("#singan-sample")
    wait_for_images(page, "#singan-gallery img", 4)
    page.screenshot(path=str(shots(tmp_path) / "singan_samples.png"), full_page=True)

    page.get_by_role("tab", name="Editing", exact=True).click()
    editor = "#singan-editing-editor"
    page.click(f"{editor} button[aria-label='Brush']")
    box = page.locator(f"{editor} canvas").first.bounding_box()
    x, y = box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.5
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + box["width"] * 0.2, y + box["height"] * 0.1, steps=8)
    page.mouse.up()
    page.click("#singan-editing-button")
    wait_for_images(page, "#singan-editing-result img")
    page.screenshot(path=str(shots(tmp_path) / "singan_editing.png"), full_page=True)
    assert page.locator("text=Traceback").count() == 0


def test_a_singan_paper_example_loads_its_model_and_runs_in_one_click(page):
    page.get_by_role("tab", name="SinGAN editing").click()
    page.get_by_role("tab", name="Harmonization", exact=True).click()
    assert page.locator("#singan-harmonization-result img").count() == 0
    page.get_by_text("Starry Night: a pasted spaceship").click()
    wait_for_images(page, "#singan-harmonization-result img")
    assert page.locator("#singan-model input").input_value().endswith("(starry_night)")
    assert page.locator("text=Traceback").count() == 0


def choose(page, dropdown: str, option):
    """Pick `option` (a label or a pattern) in the Gradio dropdown `dropdown`."""
    page.click(f"{dropdown} input")
    page.get_by_role("option", name=option).first.click()


def upload_once(page, upload: str, path):
    """Put `path` in the file component `upload`, unless an earlier test left a file there (the
    component then shows the file instead of its file input)."""
    field = page.locator(f"{upload} input[type=file]")
    if field.count():
        field.set_input_files(path)


def click_for_new_image(page, button: str, image: str):
    """Click `button` and wait until `image` shows a picture it did not show before."""
    old = page.locator(image).first.get_attribute("src") if page.locator(image).count() else ""
    page.click(button)
    page.wait_for_function("([selector, old]) => { const i = document.querySelector(selector);"
                           " return i && i.src !== old && i.complete && i.naturalWidth > 0; }",
                           arg=[image, old], timeout=60_000)


def test_imported_reference_generators_are_offered_in_their_tabs(page):
    """The hub's fixture imported tiny random-weight junyanz and DCGAN-example generators into its
    weights folder (tests/conftest.py): each tab lists the kind it can use, and runs it."""
    page.get_by_role("tab", name="Catholic2Gogh").click()
    upload_once(page, "#stylize-upload", "demos/examples/stylize/Path.jpg")
    choose(page, "#stylize-style", re.compile(r"^imported\/style: imported from"))
    click_for_new_image(page, "#stylize-button", "#stylize-painting img")
    assert page.locator("#stylize-reconstruction img").count() == 1
    choose(page, "#stylize-style", re.compile(r"^imported\/one_way_style"))
    page.click("#stylize-button")  # the same forward generator: the same painting, and no way back
    page.wait_for_selector("text=paints one way only", timeout=60_000)
    page.wait_for_function("() => !document.querySelector('#stylize-reconstruction img')", timeout=10_000)

    page.get_by_role("tab", name="Sketch → photo").click()
    choose(page, "#sketch-model", "imported/edges2shoes")
    page.get_by_role("tab", name="Upload").click()
    upload_once(page, "#sketch-upload", sorted(Path("demos/examples/sketch").glob("*.png"))[0])
    click_for_new_image(page, "#upload-generate", "#sketch-photo img")
    choose(page, "#sketch-model", "sketch2photo")
    page.get_by_role("tab", name="Draw").click()

    page.get_by_role("tab", name="Dog generation").click()
    choose(page, "#dogs-generator", "imported/dcgan")
    page.wait_for_function("() => document.querySelector('#dogs-truncation input[type=range]').max === '4'",
                           timeout=10_000)  # no anchors: resample mode, off
    click_for_new_image(page, "#dogs-generate", "#dogs-gallery img")
    choose(page, "#dogs-generator", "dogs")
    page.wait_for_function("() => document.querySelector('#dogs-truncation input[type=range]').max === '1'",
                           timeout=10_000)
    assert page.locator("text=Traceback").count() == 0 and page.locator("text=Error").count() == 0


def test_empty_sketch_shows_a_message_not_a_trace(page):  # last: its message stays on the page
    page.get_by_role("tab", name="Sketch → photo").click()
    page.click("#sketchpad button[aria-label='Clear canvas']")
    page.click("#draw-generate")
    page.wait_for_selector("text=is empty", timeout=20_000)
    assert page.locator("text=Traceback").count() == 0


def test_dog_truncation_slider_follows_the_mode(page):
    """Anchor and psi truncation are off at 1, resample at 4: the slider's range follows the mode."""
    page.get_by_role("tab", name="Dog generation").click()
    slider = page.locator("#dogs-truncation input[type=range]")
    assert slider.get_attribute("max") == "1" and slider.input_value() == "0.5"  # anchor mode, the default
    max_is = "(top) => document.querySelector('#dogs-truncation input[type=range]').max === top"
    page.get_by_label("resample").check()
    page.wait_for_function(max_is, arg="4", timeout=10_000)
    assert slider.input_value() == "0.5"  # kept: it is inside the new range
    page.get_by_label("anchor").check()
    page.wait_for_function(max_is, arg="1", timeout=10_000)
