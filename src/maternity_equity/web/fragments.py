"""Rendered pieces of the layout that depend on little, kept instead of rendered per request.

The NHS.UK header and footer macros are the most expensive part of rendering a small page, yet
the header only varies with who is signed in and which section is current, and the footer
never varies. Page bodies that are a pure function of a cached page model are kept the same
way (``content``), for as long as the model is (until the warehouse file changes).
"""

from __future__ import annotations

from functools import lru_cache

import jinja2
from markupsafe import Markup

SERVICE = {"text": "Maternity equity", "href": "/"}
FOOTER = {
    "meta": {
        "items": [
            {"href": "/accessibility", "text": "Accessibility statement"},
            {"href": "/api/docs", "text": "API"},
        ]
    },
    "copyright": {"text": "Maternity equity – open source"},
}


class Layout:
    """``header(user, nav_items)`` and ``footer()`` for base.html, each rendered once."""

    def __init__(self, env: jinja2.Environment) -> None:
        self._env = env
        self._header_for = lru_cache(maxsize=1024)(self._render_header)
        self._footer: Markup | None = None

    def _macro(self, component: str):
        template = self._env.get_template(f"nhsuk/components/{component}/macro.jinja")
        return getattr(template.module, component)

    def _render_header(self, account: str | None, nav: tuple) -> Markup:
        params: dict = {"service": SERVICE}
        if account is not None:
            params["account"] = {
                "items": [
                    {"text": account, "icon": True},
                    {"href": "/sign-out", "text": "Sign out"},
                ]
            }
        if nav:
            params["navigation"] = {
                "items": [{"href": h, "text": t, "current": c} for h, t, c in nav]
            }
        return Markup(self._macro("header")(params))

    def header(self, user, nav_items) -> Markup:
        account = f"{user.display_name} ({user.role.name})" if user else None
        nav = tuple((i["href"], i["text"], bool(i.get("current"))) for i in nav_items or ())
        return self._header_for(account, nav)

    def footer(self) -> Markup:
        if self._footer is None:
            self._footer = Markup(self._macro("footer")(FOOTER))
        return self._footer


def install(env: jinja2.Environment) -> None:
    layout = Layout(env)
    env.globals.update(page_header=layout.header, page_footer=layout.footer)


def content(state, key: tuple, template: str, **context) -> Markup:
    """The body of a page rendered from ``template`` once per ``key`` (a page model's memo
    key) and warehouse version. ``context`` must hold everything the body shows: never the
    user, a CSRF token or anything else that varies between requests with the same key."""
    return kept(state, (template, *key), lambda: render_part(state, template, **context))


def kept(state, key: tuple, build) -> Markup:
    """``build()`` (the HTML of a page body) once per ``key`` and warehouse version; a body
    drawn from the plan database puts ``plan_data.plan_version`` in its key."""
    return state.data.memo(("html", *key), lambda: Markup(build()))


def render_part(state, template: str, **context) -> str:
    return state.templates.env.get_template(template).render(**context)
