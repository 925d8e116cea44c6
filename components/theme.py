"""One place for channel colours, labels, state colours and number formats used by every chart.

Channel colours are the Okabe–Ito palette, chosen to stay apart under the common colour-vision
deficiencies; queues, teams and agents get Paul Tol's "muted" palette, which shares no colour
with the channels, so a queue line never reads as a channel (tests/test_theme.py measures both).
"""

from __future__ import annotations

CHANNEL_COLOURS: dict[str, str] = {
    "phone": "#0072B2",  # blue
    "chat": "#009E73",  # bluish green
    "email": "#E69F00",  # orange
    "twitter": "#56B4E9",  # sky blue
    "facebook": "#CC79A7",  # reddish purple
    "instagram": "#D55E00",  # vermillion
}
# Queues, teams and agents: never a channel colour (a queue is not a channel).
GROUP_PALETTE: tuple[str, ...] = (
    "#332288",  # indigo
    "#88CCEE",  # cyan
    "#44AA99",  # teal
    "#117733",  # green
    "#999933",  # olive
    "#DDCC77",  # sand
    "#CC6677",  # rose
    "#882255",  # wine
    "#AA4499",  # purple
)
CHANNEL_LABELS: dict[str, str] = {
    "phone": "Phone",
    "chat": "Chat",
    "email": "Email",
    "twitter": "Twitter / X",
    "facebook": "Facebook",
    "instagram": "Instagram",
}
OTHER_COLOUR = "#7f7f7f"

AGENT_STATE_COLOURS: dict[str, str] = {
    "available": "#2ca02c",
    "busy": "#1f77b4",
    "after_call": "#9467bd",
    "break": "#ff7f0e",
    "offline": "#7f7f7f",
}
AGENT_STATE_LABELS: dict[str, str] = {
    "available": "Available",
    "busy": "Busy",
    "after_call": "After-contact work",
    "break": "Break",
    "offline": "Offline",
}

# Service-level state against goal.
GOOD, WARN, BAD, NEUTRAL = "#2e7d32", "#f9a825", "#c62828", "#7f7f7f"


def channel_colour(channel_id: str) -> str:
    """The fixed colour of a channel (grey for one not in the palette)."""
    return CHANNEL_COLOURS.get(channel_id, OTHER_COLOUR)


def text_colour_on(background: str) -> str:
    """Black or white, whichever has the higher WCAG contrast ratio on `background`
    ('#rrggbb'): black when its relative luminance is above 0.179, where the two ratios meet."""
    linear = []
    for i in (1, 3, 5):
        c = int(background[i : i + 2], 16) / 255
        linear.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"


def channel_label(channel_id: str) -> str:
    """The display name of a channel."""
    return CHANNEL_LABELS.get(channel_id, channel_id.title())


def format_seconds(seconds: float | None) -> str:
    """'45 s', '12 min 5 s', '3 h 20 min' — or an em dash when there is no value."""
    if seconds is None:
        return "—"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        minutes, rest = divmod(seconds, 60)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    hours, rest = divmod(seconds, 3600)
    return f"{hours} h {rest // 60} min" if rest >= 60 else f"{hours} h"
