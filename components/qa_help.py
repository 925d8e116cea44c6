"""The help of the QA pages: how a review, an agent's score, sampling and agreement are counted,
with a link to the metric definitions (docs/metrics.md)."""

from __future__ import annotations

import streamlit as st

from components.report_help import METRICS_PAGE

REVIEW_SCORE = (
    "**Review score** = Σ(weight × points ÷ max points) ÷ Σ weight × 100 over the criteria "
    "rated. A criterion marked N/A leaves both sums. A **critical** criterion below full marks "
    "sets the score to 0 and marks the review *auto-failed*. Criteria for public replies only "
    "are not on the form of a private contact. A review is scored on the scorecard as it was "
    "when the review was started: editing a scorecard never rescores old reviews."
)
AGENT_SCORE = (
    "**Agent (or team) QA score** = mean of the review scores submitted in the period (auto-fails "
    "count as 0), shown with the number of reviews *n* and a 95 % Student-t interval (clipped to "
    "0–100). With fewer than 5 reviews the score reads *too few reviews (n)* and is ranked after "
    "the others; ranked groups are ordered by mean, then by the lower end of the interval. "
    "**Auto-fail rate** = auto-failed ÷ reviews, with a 95 % Wilson interval. Calibration ratings "
    "never count here."
)
SAMPLING = (
    "**Sampling.** Per agent, up to the quota of contacts that *ended* in the period (and, if "
    "chosen, were never reviewed or drawn before). The oversampling shares are drawn first from "
    "contacts with negative sentiment, CSAT ≤ 2 or an escalation (high priority); the rest is "
    "split across the agent's channels in proportion to their contacts. The same rule, seed and "
    "data always draw the same sample; each run stores its rule, seed and the drawn ids."
)
CALIBRATION = (
    "**Agreement** per criterion is Krippendorff's alpha over the panel's ratings (interval level "
    "for points; nominal for pass/fail and critical criteria): 1 = perfect agreement, 0 = no "
    "better than chance, below 0 = systematic disagreement. **Deviation** = a reviewer's review "
    "score minus the panel mean of the same interaction (+ = more lenient), over interactions "
    "rated by at least two. **Blind:** you see the others' ratings of an interaction only once "
    "you have submitted your own."
)


def qa_help(*notes: str, key: str) -> None:
    """An expander 'How these figures are counted' with `notes` and the definitions link."""
    with st.expander("How these figures are counted", icon=":material/help:", key=key):
        for text in notes:
            st.markdown(text)
        st.page_link(
            METRICS_PAGE,
            label="Metric definitions, with worked examples",
            icon=":material/menu_book:",
        )
