"""The launched hub, called as users' scripts call it: gradio_client over HTTP."""
from concurrent.futures import ThreadPoolExecutor

import pytest
from gradio_client import Client, handle_file
from PIL import Image

from demos.colorize import EXAMPLES as COLOR_EXAMPLES
from demos.sketch2photo import EXAMPLES


@pytest.fixture(scope="module")
def client(hub_url):
    return Client(hub_url, verbose=False)


def test_sketch_to_photo_endpoint(client):
    photo_path, label = client.predict(handle_file(EXAMPLES[0]), api_name="/sketch_to_photo")
    assert Image.open(photo_path).size == (256, 256)
    assert label["label"] and len(label["confidences"]) == 5


def test_bad_upload_is_a_message_and_the_server_lives_on(client, tmp_path):
    fake = tmp_path / "notes.png"
    fake.write_text("this is text named .png")
    with pytest.raises(Exception, match="not an image"):
        client.predict(handle_file(str(fake)), api_name="/sketch_to_photo")
    photo_path, _ = client.predict(handle_file(EXAMPLES[1]), api_name="/sketch_to_photo")
    assert Image.open(photo_path).size == (256, 256)


def test_colorize_endpoint_keeps_the_size(client, tmp_path):
    grey = tmp_path / "old.png"
    Image.open(COLOR_EXAMPLES[0]).convert("L").resize((300, 200)).save(grey)
    result = client.predict(handle_file(str(grey)), 256, api_name="/colorize")
    assert Image.open(result).size == (300, 200)
    assert Image.open(result).mode == "RGB"


def test_stylize_endpoint_paints_and_reconstructs_at_the_size(client, tmp_path):
    photo = tmp_path / "campus.png"
    Image.new("RGB", (200, 150), (90, 140, 200)).save(photo)
    painting, reconstruction = client.predict(handle_file(str(photo)), "starry_night", api_name="/stylize")
    assert Image.open(painting).size == Image.open(reconstruction).size == (200, 150)


def test_generate_dogs_endpoint(client):
    gallery = client.predict(5, 0.8, 6, api_name="/generate_dogs")
    assert len(gallery) == 6
    assert Image.open(gallery[0]["image"]).size == (128, 128)


def test_thirty_concurrent_clients_all_get_answers(hub_url):
    def one_user(n):
        client = Client(hub_url, verbose=False)
        photo, label = client.predict(handle_file(EXAMPLES[n % len(EXAMPLES)]), api_name="/sketch_to_photo")
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
    photo, label = client.predict(value, api_name="/sketch_to_photo_drawing")
    assert Image.open(photo).size == (256, 256) and label["label"]
    gif = client.predict(2, 1.0, "resample", "any", api_name="/animate_dogs")
    assert Image.open(gif).n_frames > 10
