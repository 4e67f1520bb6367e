"""The launched hub, called as users' scripts call it: gradio_client over HTTP."""
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from gradio_client import Client, handle_file
from PIL import Image

from conftest import launch_hub
from demos.colorize import EXAMPLES as COLOR_EXAMPLES
from demos.sketch2photo import EXAMPLES


@pytest.fixture(scope="module")
def client(hub_url):
    return Client(hub_url, verbose=False)


def test_every_endpoint_has_readable_names_and_types(client):
    """What view_api() shows a script author: self-explaining parameter and output names, and
    integers typed as integers."""
    api = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/generate_dogs", "/colorize", "/stylize", "/sketch_to_photo", "/singan_edit", "/singan_train"} <= set(api)
    unreadable = re.compile(r"^(.|param_\d+|value_\d+|parameter_\d+)$")
    for name, endpoint in api.items():
        for parameter in endpoint["parameters"]:
            assert not unreadable.match(parameter["parameter_name"]), (name, parameter["parameter_name"])
        for output in endpoint["returns"]:
            assert not unreadable.match(output["label"]), (name, output["label"])
    integers = {"/generate_dogs": ["seed", "count"], "/singan_sample": ["count", "start_scale", "seed"],
                "/singan_edit": ["start_scale", "seed"], "/singan_train": ["max_size", "steps"]}
    for name, parameters in integers.items():
        types = {p["parameter_name"]: p["python_type"]["type"] for p in api[name]["parameters"]}
        assert all(types[p] == "int" for p in parameters), (name, types)
    optional = {p["parameter_name"]: p["parameter_has_default"] for p in api["/singan_train"]["parameters"]}
    assert optional == {"image": False, "max_size": True, "steps": True, "subject": True}


def test_sketch_to_photo_endpoint(client):
    photo_path, label = client.predict(sketch=handle_file(EXAMPLES[0]), api_name="/sketch_to_photo")
    assert Image.open(photo_path).size == (256, 256)
    assert label["label"] and len(label["confidences"]) == 5


def test_bad_upload_is_a_message_and_the_server_lives_on(client, tmp_path):
    fake = tmp_path / "notes.png"
    fake.write_text("this is text named .png")
    with pytest.raises(Exception, match="not an image"):
        client.predict(sketch=handle_file(str(fake)), api_name="/sketch_to_photo")
    photo_path, _ = client.predict(sketch=handle_file(EXAMPLES[1]), api_name="/sketch_to_photo")
    assert Image.open(photo_path).size == (256, 256)


def test_colorize_endpoint_keeps_the_size(client, tmp_path):
    grey = tmp_path / "old.png"
    Image.open(COLOR_EXAMPLES[0]).convert("L").resize((300, 200)).save(grey)
    result = client.predict(photo=handle_file(str(grey)), render_size=256, api_name="/colorize")
    assert Image.open(result).size == (300, 200)
    assert Image.open(result).mode == "RGB"


def test_stylize_endpoint_paints_and_reconstructs_at_the_size(client, tmp_path):
    photo = tmp_path / "campus.png"
    Image.new("RGB", (200, 150), (90, 140, 200)).save(photo)
    painting, reconstruction = client.predict(photo=handle_file(str(photo)), style="starry_night", api_name="/stylize")
    assert Image.open(painting).size == Image.open(reconstruction).size == (200, 150)


def test_generate_dogs_endpoint(client):
    gallery = client.predict(seed=5, truncation=0.8, count=6, api_name="/generate_dogs")
    assert len(gallery) == 6
    assert Image.open(gallery[0]["image"]).size == (128, 128)


def test_thirty_concurrent_clients_all_get_answers(hub_url):
    def one_user(n):
        client = Client(hub_url, verbose=False)
        photo, label = client.predict(sketch=handle_file(EXAMPLES[n % len(EXAMPLES)]), api_name="/sketch_to_photo")
        return Image.open(photo).size

    with ThreadPoolExecutor(max_workers=30) as pool:
        sizes = list(pool.map(one_user, range(30)))
    assert sizes == [(256, 256)] * 30


def test_drawing_endpoint_and_animation_endpoint(client, tmp_path):
    drawing = tmp_path / "drawing.png"
    canvas = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    canvas.paste(Image.new("RGBA", (200, 8), (0, 0, 0, 255)), (50, 150))
    canvas.save(drawing)
    value = {"background": None, "layers": [handle_file(str(drawing))], "composite": handle_file(str(drawing))}
    photo, label = client.predict(sketch=value, api_name="/sketch_to_photo_drawing")
    assert Image.open(photo).size == (256, 256) and label["label"]
    gif = client.predict(seed=2, truncation=1.0, mode="resample", api_name="/animate_dogs")
    assert Image.open(gif).n_frames > 10


def test_singan_endpoints_on_a_shipped_model(client, tmp_path):
    photo, mask = tmp_path / "photo.png", tmp_path / "mask.png"
    Image.new("RGB", (160, 100), (40, 60, 150)).save(photo)
    mask_image = Image.new("L", (160, 100), 0)
    mask_image.paste(255, (20, 20, 60, 60))
    mask_image.save(mask)
    gallery = client.predict(model="balloons", count=3, start_scale=1, scale_h=1.5, scale_v=1.0, seed=7,
                             api_name="/singan_sample")
    assert len(gallery) == 3
    for name in ("/singan_edit", "/singan_harmonize"):
        result = client.predict(model="balloons", image=handle_file(str(photo)), mask=handle_file(str(mask)),
                                start_scale=2, seed=0, api_name=name)
        assert Image.open(result).size == (160, 100)
    result = client.predict(model="balloons", image=handle_file(str(photo)), start_scale=1, api_name="/singan_paint")
    assert Image.open(result).size == (160, 100)
    result = client.predict(model="balloons", factor=2, api_name="/singan_super_resolve")
    model_w = Image.open(gallery[0]["image"]).size[0] / 1.5
    assert abs(Image.open(result).size[0] - 2 * model_w) <= 2
    gif = client.predict(model="balloons", start_scale=1, motion=0.5, seed=0, api_name="/singan_animate")
    assert Image.open(gif).n_frames > 10


def test_singan_train_endpoint_adds_a_usable_model(client, tmp_path):
    photo = tmp_path / "garden.png"
    Image.new("RGB", (40, 30), (30, 140, 60)).save(photo)
    name = client.predict(image=handle_file(str(photo)), max_size=32, steps=5, subject="Tiny garden",
                          api_name="/singan_train")
    assert name.startswith("tiny_garden")
    assert len(client.predict(model=name, count=2, start_scale=0, api_name="/singan_sample")) == 2


IMAGE_ENDPOINTS = {"/sketch_to_photo": lambda f: dict(sketch=f), "/colorize": lambda f: dict(photo=f, render_size=256),
                   "/stylize": lambda f: dict(photo=f, style="starry_night"),
                   "/singan_paint": lambda f: dict(model="balloons", image=f, start_scale=1),
                   "/singan_super_resolve": lambda f: dict(model="balloons", image=f, factor=2)}


@pytest.mark.parametrize("endpoint", IMAGE_ENDPOINTS)
def test_every_bad_upload_over_http_is_a_message(client, endpoint, tmp_path):
    from test_bad_input import CASES
    for case, data in CASES.items():
        path = tmp_path / f"{case.replace(' ', '_')}.png"
        path.write_bytes(data)
        try:
            result = client.predict(**IMAGE_ENDPOINTS[endpoint](handle_file(str(path))), api_name=endpoint)
        except Exception as error:  # noqa: BLE001 (the message is what is checked)
            message = str(error)
            assert "Traceback" not in message and "File \"" not in message, (case, message)
            assert "Something went wrong" not in message, (case, message)  # a named problem, not a crash
            continue
        first = result[0] if isinstance(result, (tuple, list)) else result
        assert Image.open(first).mode == "RGB", case
    assert client.predict(sketch=handle_file(EXAMPLES[0]), api_name="/sketch_to_photo")  # still serving


def test_a_full_queue_says_busy_and_the_hub_recovers():
    hub, url = launch_hub(max_queue=1, concurrency=1)
    try:
        client = Client(url, verbose=False)
        jobs = [client.submit(handle_file(COLOR_EXAMPLES[0]), 768, api_name="/colorize") for _ in range(6)]
        outcomes = []
        for job in jobs:
            try:
                job.result()
                outcomes.append("ok")
            except Exception as error:  # noqa: BLE001
                outcomes.append(str(error))
        busy = [o for o in outcomes if o != "ok"]
        assert "ok" in outcomes and busy, outcomes
        assert all("queue is full" in o.lower() for o in busy), busy
        assert client.predict(photo=handle_file(COLOR_EXAMPLES[0]), render_size=256, api_name="/colorize")
    finally:
        hub.close()
