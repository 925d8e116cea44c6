"""One place for channel colours, labels, state colours and number formats used by every chart."""

from __future__ import annotations

CHANNEL_COLOURS: dict[str, str] = {
    "phone": "#1f77b4",
    "chat": "#2ca02c",
    "email": "#9467bd",
    "twitter": "#17becf",
    "facebook": "#3b5998",
    "instagram": "#e1306c",
}
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
