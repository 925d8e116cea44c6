"""The chart palettes: every channel its own colour, told apart under the common colour-vision
deficiencies; queues, teams and agents a palette of their own that shares no channel colour."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from colorspacious import cspace_convert, deltaE

from components.sl_charts import MAX_LINES, group_colours
from components.theme import CHANNEL_COLOURS, GROUP_PALETTE, channel_colour

# CAM02-UCS distance: about 1 is just noticeable; under 10 reads as "the same hue, a shade off"
# in a legend at a glance.
MIN_DISTANCE = 10.0
VISIONS = ("normal", "deuteranomaly", "protanomaly", "tritanomaly")


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255


def _seen(colour: str, vision: str) -> np.ndarray:
    if vision == "normal":
        return _rgb(colour)
    cvd = {"name": "sRGB1+CVD", "cvd_type": vision, "severity": 100}
    return np.clip(cspace_convert(_rgb(colour), cvd, "sRGB1"), 0, 1)


def _closest(colours: list[str], vision: str) -> float:
    return min(
        float(deltaE(_seen(a, vision), _seen(b, vision), input_space="sRGB1"))
        for a, b in combinations(colours, 2)
    )


@pytest.mark.parametrize("vision", VISIONS)
def test_channel_colours_stay_apart_for_every_vision(vision):
    assert _closest(list(CHANNEL_COLOURS.values()), vision) >= MIN_DISTANCE


@pytest.mark.parametrize("vision", VISIONS)
def test_group_colours_stay_apart_for_every_vision(vision):
    assert _closest(list(GROUP_PALETTE), vision) >= MIN_DISTANCE


def test_groups_never_wear_a_channel_colour():
    channel = {c.lower() for c in CHANNEL_COLOURS.values()}
    assert not channel & {c.lower() for c in GROUP_PALETTE}
    assert len(set(CHANNEL_COLOURS.values())) == len(CHANNEL_COLOURS)
    # Grouped by queue (even one named like a channel), lines take group colours, one each.
    colours = group_colours(["phone", "billing", "sales"], "queue")
    assert list(colours.values()) == list(GROUP_PALETTE[:3])
    assert colours["phone"] != channel_colour("phone")
    assert len(set(group_colours([f"q{n}" for n in range(MAX_LINES)], "team").values())) == (
        MAX_LINES
    )
    # Grouped by channel, a channel keeps its own colour.
    assert group_colours(["phone"], "channel") == {"phone": CHANNEL_COLOURS["phone"]}


def test_bar_labels_are_dark_on_light_channel_colours():
    from components.theme import text_colour_on

    # Sky blue: relative luminance 0.405, contrast 9.1 with black vs 2.3 with white.
    assert text_colour_on(CHANNEL_COLOURS["twitter"]) == "#000000"
    # Reddish purple (0.293): 6.9 with black vs 3.1 with white.
    assert text_colour_on(CHANNEL_COLOURS["facebook"]) == "#000000"
    # Blue (0.152): 5.2 with white vs 4.0 with black.
    assert text_colour_on(CHANNEL_COLOURS["phone"]) == "#ffffff"
    assert text_colour_on("#000000") == "#ffffff" and text_colour_on("#ffffff") == "#000000"
