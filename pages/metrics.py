"""Metric definitions: how every figure is counted, with worked examples (docs/metrics.md, the one
copy the README also links to and the tests hold to the code)."""

import streamlit as st

from components.guard import require_page
from components.report_help import metrics_document

require_page(__file__)
st.markdown(metrics_document())
