"""The home view of each role over a database holding hostile names (issue 9.15's rule for the
summaries of issue 14): the hostile strings show escaped, never as markup."""

from __future__ import annotations

import pytest

from tests.security.test_plain_text import (  # noqa: F401 (fixtures used by name)
    DISPLAY_NAME,
    HOSTILE,
    _assert_page_plain,
    hostile_db,
    hostile_qa_db,
)

HOME_PAGES = {
    # role's home: (user, page, interaction, raw strings that must show in markdown / figures)
    "supervisor": ("supervisor", None, None, [DISPLAY_NAME, HOSTILE[3]], []),
    "executive": ("exec", None, None, [DISPLAY_NAME], []),
}


@pytest.mark.parametrize("name", sorted(HOME_PAGES))
def test_home_summaries_show_stored_hostile_text(hostile_db, name):  # noqa: F811
    _assert_page_plain(HOME_PAGES[name])


def test_the_qa_home_over_hostile_qa_data(hostile_qa_db):  # noqa: F811
    _assert_page_plain(("qa", None, None, [DISPLAY_NAME], []))
