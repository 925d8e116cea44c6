"""Plain text for strings that come from data or users, wherever the app draws them.

Queue, agent, author, topic, channel and user names, bodies and audit details are shown exactly
as stored: never as markdown, HTML, links or images. Two renderers interpret text, and each has
its escaper here:

- `markdown_text` for every place Streamlit renders markdown: st.markdown, st.caption, st.title
  and headers, st.error/warning/info/success, st.write of a string, metric labels and help,
  expander, tab, button and page_link labels, radio options.
- `plotly_text` for every string a plotly figure draws: trace names (legend), category values
  (axis ticks, `%{x}` in hover), hover templates, annotations, titles.

Dataframe cells, st.text, st.code and select box / multiselect options are drawn as plain text
by Streamlit already and need neither.
"""

from __future__ import annotations

import html
import re

# Every character that opens markdown syntax in Streamlit (CommonMark + GFM, `$` math, `:red[…]`
# directives, `&…;` entities, `=` setext underlines). Others (`/`, `,`, `'`, …) stay as they are,
# so a plain name such as "Twitter / X" reads the same in tests and in the page source.
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~:$&=])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")
# U+2060 WORD JOINER: zero width, no line break, invisible. Streamlit's markdown (remark-gfm)
# finds bare URLs (`http://`, `https://`, `www.`), e-mail addresses and `:emoji:` shortcodes in
# the *text after escapes are resolved*, so a backslash cannot stop them; a joiner after every
# `:` (`http://`, `:smile:`) and before every `.` (`www.`, the domain of an address or URL)
# breaks each of those patterns without changing what is read.
_JOINER = "\u2060"
_LINK_MARKS = re.compile(r"(?<=:)|(?=\.)")


def markdown_text(value: object) -> str:
    """`value` as markdown that renders as exactly its characters, on one line.

    Every markdown syntax character is backslash-escaped (no emphasis, links, images, HTML,
    headings, lists, tables, math, entities or directives), line breaks become spaces (a label
    is one line), and an invisible word joiner after `:` and before `.` stops bare URLs,
    e-mail addresses and emoji shortcodes from being turned into links or pictures.

    >>> markdown_text("**bold** <b>")
    '\\\\*\\\\*bold\\\\*\\\\* \\\\<b\\\\>'
    """
    text = _LINE_BREAKS.sub(" ", "" if value is None else str(value))
    # Joiners first: one between a backslash and its character would undo the escape.
    return _MARKDOWN_SYNTAX.sub(r"\\\1", _LINK_MARKS.sub(_JOINER, text))


def plotly_text(value: object) -> str:
    """`value` as plotly text that shows exactly its characters.

    Plotly reads a subset of HTML in every text it draws (`<a href>`, `<b>`, `<br>`, `<span>`,
    …) and then decodes the entities `&lt;` `&gt;` `&amp;` and numeric ones (`&quot;` is not
    among them). So `&`, `<` and `>` become entities (no tag can form), `%` becomes `&#37;` (no
    `%{…}` hover-template field can form) and `$` becomes `&#36;` (no `$…$` LaTeX).

    >>> plotly_text('<a href="x">q</a> 100%')
    '&lt;a href="x"&gt;q&lt;/a&gt; 100&#37;'
    """
    text = html.escape("" if value is None else str(value), quote=False)
    return text.replace("%", "&#37;").replace("$", "&#36;")
