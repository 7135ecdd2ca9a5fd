"""The templates and what they may use besides the context: gettext, the filters that write
figures, per cents and days as each language does, and a few names (roles, standards)."""

from urllib.parse import urlsplit

from fastapi import Request
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup

from app import i18n
from app.accounts.passwords import MIN_LENGTH
from app.accounts.service import size_name
from app.clock import day_text
from app.content.schema import Text
from app.results.scoring import shown, shown_difference
from app.results.snapshot import shared_minimum
from app.settings import ROOT, get_settings
from app.static_files import static_url

templates = Jinja2Blocks(directory=str(ROOT / "templates"))
env = templates.env
# Templates change only with a deploy, except while developing: no file check per render.
env.auto_reload = get_settings().environment == "development"
env.add_extension("jinja2.ext.i18n")
env.install_gettext_callables(  # type: ignore[attr-defined]
    gettext=lambda s, **kw: i18n._(s) % kw if kw else i18n._(s),
    ngettext=lambda s, p, count, **kw: i18n.ngettext(s, p, count) % {"num": count, **kw},
    pgettext=lambda c, s: i18n.pgettext(c, s),
    newstyle=False,
)
env.filters["t"] = lambda text: text[i18n.current_locale()] if isinstance(text, Text) else text


def lang_attr(text: object) -> Markup:
    """` lang="nb"` where a content text had to fall back to bokmål (an old round's snapshot
    without a translation), so screen readers read it right (WCAG 3.1.2); else nothing."""
    if not isinstance(text, Text):
        return Markup("")
    lang = text.pick(i18n.current_locale())[1]
    return Markup(f' lang="{lang}"') if lang != i18n.current_locale() else Markup("")


env.filters["lang_attr"] = lang_attr
env.filters["num"] = lambda v: "–" if v is None else str(shown(v))
env.filters["shown_change"] = shown_difference  # now|shown_change(before)


def signed(change: int) -> str:
    """A change with its sign: «+5», «−28» with the minus sign (U+2212) rather than a
    hyphen, as Norwegian typesetting and screen readers take it; «0» unsigned."""
    return f"+{change}" if change > 0 else f"\u2212{-change}" if change < 0 else "0"


env.filters["signed"] = signed


def percent(value: float | None) -> str:
    """A share in per cent as the language writes it: «14 %» with a no-break space between
    number and sign, English «14%»; «–» for a share not shown."""
    if value is None:
        return "–"
    sign = "%" if i18n.current_locale() == "en" else "\u00a0%"
    return f"{shown(value)}{sign}"


env.filters["percent"] = percent
env.globals["shared_minimum"] = shared_minimum  # behind a figure in what others read too


# Days as the reader's language writes them, in Oslo time (app.clock.day_text).
env.filters["day"] = day_text
env.globals["LOCALE_NAMES"] = i18n.LOCALE_NAMES
env.globals["PASSWORD_MIN_LENGTH"] = MIN_LENGTH


def weight_words(weight: float) -> str:
    """How strongly the study stresses an area, in words rather than a bare factor."""
    if weight >= 1.25:
        return i18n._("studien legger svært stor vekt på området.")
    if weight >= 1.05:
        return i18n._("studien legger stor vekt på området.")
    return i18n._("studien legger noe vekt på området.")


env.filters["weight_words"] = weight_words


def in_bokmal(text: str) -> Markup | str:
    """Text that exists only in bokmål (a source's publisher), marked so on other pages:
    screen readers then read it with the right voice."""
    if i18n.current_locale() == "nb":
        return text
    return Markup('<span lang="nb">{}</span>').format(text)


env.filters["in_bokmal"] = in_bokmal


def role_name(role: str) -> str:
    return {
        "staff": i18n._("Ansatt"),
        "manager": i18n._("Leder"),
        "ks_adviser": i18n._("KS-rådgiver"),
        "admin": i18n._("Administrator"),
    }.get(role, role)


env.globals["role_name"] = role_name


def standard_name(standard: str) -> str:
    return {"nb": i18n._("Bokmål"), "nn": i18n._("Nynorsk"), "neutral": i18n._("Nøytral")}.get(
        standard, standard
    )


env.globals["standard_name"] = standard_name


NEXT_MAX = 300  # the longest return path /sprak takes


def back_here(request: Request) -> str:
    """Where the language switch returns to: this page with its query (an advice order, a
    meeting step), or, for a page shown in answer to a form, the page the form was on: a
    form's address answers only POST, and opening it would give 405."""
    url = urlsplit(request.headers.get("referer", "")) if request.method != "GET" else request.url
    path = url.path if url.path.startswith("/") else "/"
    with_query = f"{path}?{url.query}" if url.query else path
    return with_query if len(with_query) <= NEXT_MAX else path


env.globals["back_here"] = back_here
env.globals["size_name"] = lambda size: size_name(size).capitalize()
env.globals["static"] = static_url
