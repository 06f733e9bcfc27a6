"""mkdocs hooks of the docs site (mkdocs.yml: ``hooks``)."""

from __future__ import annotations

import re
from typing import Any

_WIDGET = re.compile(r'<script type="application/vnd\.jupyter\.widget-(?:view|state)\+json">'
                     r".*?</script>"  # a widget and the state of all
                     r"|<script>\s*\(function\(\) \{\s*function addWidgetsRenderer\(\).*?"
                     r"</script>", re.S)  # what fetches the renderer from unpkg.com


def on_page_content(html: str, **kwargs: Any) -> str:
    """The tutorials' progress bars (tqdm.auto) are Jupyter widgets: their pages would
    fetch the widget renderer from the internet. The site leaves them out (it works
    offline); the bars show when the notebook runs in Jupyter."""
    return _WIDGET.sub("", html)
