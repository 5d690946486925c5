"""An article's title: the <h1> its metadata agrees with, else a metadata title without the site name."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple
from urllib.parse import urlsplit

# Scripts written without spaces between words (Han, kana, Hangul, their full-width and CJK punctuation
# forms) and right-to-left ones: a dash or "_" beside them is no hyphen inside a word. Latin, Greek and
# Cyrillic are left out: "Санкт-Петербург", "из-за" are words.
UNSPACED = (
    r"[\u0590-\u08ff\u0e00-\u0eff\u1100-\u11ff\u2e80-\ua4cf\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f"
    r"\uff00-\uffef]"
)
# " | ", " – ", " » ", " :: " between words in any script; a bar or a full-width mark ("｜", "－", "―", "丨",
# "│") anywhere, being never part of a word; a dash, "--", "——" or "_" beside an unspaced script.
TITLE_SEPARATOR = re.compile(
    r"\s+(?:[|｜│丨–—―－·•»«›‹:/\\_]|-{1,2}|—{2}|::)\s+|\s*[|｜│丨－―]\s*"
    rf"|(?<={UNSPACED})\s*(?:[-–—_]{{1,2}})\s*|\s*(?:[-–—_]{{1,2}})\s*(?={UNSPACED})"
)
PIPE = re.compile(r"\s+\|\s+")
# "27.01.2022 - Headline": a date stamp glued before a heading is not part of the headline.
LEADING_DATE = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{2,4}\s*(?:[-–—|:]\s*)?")
SAME_QUOTES_AND_DASHES = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'", "´": "'"}
    | {"–": "-", "—": "-"}
)
# A web archive's copy of a page: /web/<timestamp, maybe with a flag>/<the original address>.
ARCHIVED_ADDRESS = re.compile(r"^https?://web\.archive\.org/web/\d+[a-z_]*/(https?://.+)$", re.I)
# "РИА Новости, 15.03.2023", "Le Monde 2023-03-20 10:15": a date stamp glued after a site's name.
TRAILING_DATE = re.compile(
    r"[\s,;]*(?:\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{4}年\d{1,2}月\d{1,2}日)(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
)
FIRST_WORD = re.compile(r"[a-z0-9]+(?![a-z0-9])|[^\W_]+")
# Russian, Ukrainian and other Cyrillic letters as Latin addresses usually spell them.
CYRILLIC_LATIN = str.maketrans(
    dict(zip("абвгдезийклмнопрстуфыэіґ", "abvgdeziyklmnoprstufyeig", strict=True))
    | {"ё": "e", "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ь": ""}
    | {"ю": "yu", "я": "ya", "ї": "yi", "є": "ye", "ў": "u", "ј": "j", "љ": "lj", "њ": "nj", "џ": "dz"}
)
# A part of a title that starts with the site's address names the site in this many words at most.
MAX_NAME_WORDS = 2
# Labels under a country's top-level domain that name a kind of registrant, not a site.
SECOND_LEVEL = {"ac", "co", "com", "edu", "go", "gob", "gov", "ne", "net", "or", "org", "rep"}
# What blog software puts between a blog's name and a post's title ("Blog » Blog Archive » Post").
BLOG_CHROME = {"blog archive", "blog archiv", "blog-archiv", "archives", "archiv"}
# Soft hyphens, zero-width spaces and the direction marks a right-to-left title carries: nothing to read.
INVISIBLE = dict.fromkeys(
    map(ord, "\xad\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
)
TYPOGRAPHIC = set("–—“”„‘’‚«»…")
QUOTES = ('"', "“", "„", "«", "»")
# A heading agrees with a metadata title when one holds the other and covers at least this share of it.
AGREEMENT = 0.5


class Heading(NamedTuple):
    """An <h1> as read: its text, whether it sits in page chrome, whether the text is one unbroken piece."""

    text: str
    in_chrome: bool
    one_piece: bool = False


def clean_title(text: str | None) -> str:
    """Entities decoded (metadata is often escaped twice), invisible marks dropped, whitespace collapsed."""
    return " ".join(html.unescape(text or "").translate(INVISIBLE).split())


def _normal(text: str) -> str:
    folded = unicodedata.normalize("NFKC", clean_title(text)).translate(SAME_QUOTES_AND_DASHES)
    return " ".join(folded.split()).casefold()


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _first_word(normal: str) -> str:
    """The first word of a title's part, ended by a space or a change from Latin to another script."""
    found = FIRST_WORD.match(normal)
    return found.group() if found else ""


def _romanized(letters: str) -> list[str]:
    """Cyrillic letters as an address spells them: "интерфакс" as "interfaks" and "interfax"."""
    latin = letters.translate(CYRILLIC_LATIN)
    return [latin, latin.replace("ks", "x")] if latin != letters else []


def host_names(url: str | None) -> set[str]:
    """What a site is called in its own address: "www.mdr.de" gives "mdr.de" and "mdr".

    A page kept by a web archive (`https://web.archive.org/web/20140226054445/http://www.mdr.de/…`) is
    named by the address it was archived from.
    """
    archived = ARCHIVED_ADDRESS.match(url or "")
    if archived:
        url = archived.group(1)
    labels = [label for label in (urlsplit(url or "").hostname or "").lower().split(".") if label]
    labels = [label for label in labels if label not in ("www", "m")]
    names = {".".join(labels)}
    if len(labels) >= 2:
        registered = registered_domain(".".join(labels))
        names |= {registered.split(".")[0], registered}
    return {name for name in names if name}


def registered_domain(host: str) -> str:
    """The part of a host name its owner registered: "politics.people.com.cn" gives "people.com.cn"."""
    labels = host.lower().split(".")
    # "yna.co.kr", "people.com.cn", "nhk.or.jp": the site's own label sits before a country's second level.
    own = -3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in SECOND_LEVEL else -2
    return ".".join(labels[own:])


class SiteName:
    """The names a site goes by (og:site_name, the publisher, its host name), to recognise in a title."""

    def __init__(self, names: Iterable[str | None] = (), url: str | None = None) -> None:
        self.names = {_normal(n) for n in names if n and n.strip() and not n.startswith("http")}
        self.hosts = {_letters(h) for h in host_names(url)}
        # Names only ever recognised whole (a home link's words may well be words of a headline).
        self.whole_names: set[str] = set()

    def matches(self, part: str) -> bool:
        """Whether a part of a title names the site: a name of it, its address, or its address's first word
        ("РИА Новости" at ria.ru, "NHK政治マガジン" at nhk.or.jp), a date stamp after it aside."""
        part = TRAILING_DATE.sub("", part) or part
        normal, letters = _normal(part), _letters(part)
        if not letters or normal in BLOG_CHROME or normal in self.whole_names:
            return True
        for name in self.names:
            name_letters = _letters(name)
            if normal == name or (len(letters) >= 4 and (letters in name_letters or name_letters in letters)):
                return True
        # A Cyrillic name is compared with the Latin address it goes by ("ТАСС" at tass.ru).
        spellings = {letters, *_romanized(letters)}
        # "РИА Новости", "NHK政治マガジン", "DW Documentary": the address's first word, one more at most
        # ("BBC chief resigns" is a headline).
        first = _first_word(normal) if len(normal.split()) <= MAX_NAME_WORDS else ""
        first_words = {first, *_romanized(first)} - {""}
        return any(
            spelled == host
            or (len(spelled) >= 4 and (spelled in host or host.startswith(spelled)))
            or (len(host) >= 5 and host in spelled)
            for host in self.hosts
            for spelled in spellings
        ) or bool(first_words & self.hosts)

    def also_called(self, names: Iterable[str]) -> SiteName:
        """The same site, known by more names."""
        more = SiteName()
        more.names, more.hosts = self.names | {_normal(n) for n in names if n.strip()}, self.hosts
        more.whole_names = self.whole_names
        return more

    def linked_home_as(self, names: Iterable[str]) -> SiteName:
        """The same site, also called what its links to its own home page say ("新华网"), recognised whole."""
        more = self.also_called(())
        more.whole_names = self.whole_names | {_normal(n) for n in names if n.strip()}
        return more

    def is_named_by(self, heading: str) -> bool:
        """Whether a heading is the site's name (give or take a word), not a headline that mentions it."""
        letters = _letters(heading)
        if not letters:
            return True
        if not self.matches(heading):
            return False
        names = [_letters(name) for name in self.names] + list(self.hosts)
        return any(name and name in letters and len(name) * 2 >= len(letters) for name in names) or any(
            letters in name for name in names
        )


def strip_site_name(title: str, site: SiteName | str | None = None) -> str:
    """A title without leading or trailing parts that name the site ("Headline | Site", "Site - Headline").

    Parts are only dropped when they name the site: a " – " inside a headline stays. Of what remains, the
    longest " | "-separated part wins (a pipe separates sections and site names, not words of a headline).
    """
    site = site if isinstance(site, SiteName) else SiteName([site])
    title = clean_title(title)
    while True:
        cuts = list(TITLE_SEPARATOR.finditer(title))
        if not cuts:
            break
        head, tail = title[: cuts[-1].start()].strip(), title[cuts[-1].end() :].strip()
        if head and site.matches(tail):
            title = head
            continue
        lead, rest = title[: cuts[0].start()].strip(), title[cuts[0].end() :].strip()
        if rest and site.matches(lead):
            title = rest
            continue
        break
    # "Headline : Site | Motto | Since 2005": the site's name and all after it go.
    for cut in TITLE_SEPARATOR.finditer(title):
        following = TITLE_SEPARATOR.search(title, cut.end())
        part = title[cut.end() : following.start() if following else len(title)].strip()
        if following and site.is_named_by(part):
            title = title[: cut.start()].strip()
            break
    parts = [part.strip() for part in PIPE.split(title) if part.strip()]
    return max(parts, key=len) if len(parts) > 1 else title


def agrees(heading: str, title: str) -> bool:
    """One holds the other (quotes, dashes and case aside) and covers at least half of it."""
    h, t = _normal(heading), _normal(title)
    if not h or not t:
        return False
    if h in t:
        return len(h) >= AGREEMENT * len(t)
    return t in h and len(t) >= AGREEMENT * len(h)


def _is_segment(heading: str, title: str) -> bool:
    return _normal(heading) in {_normal(part) for part in TITLE_SEPARATOR.split(title) if part.strip()}


def _without_date_stamp(heading: str) -> str:
    return LEADING_DATE.sub("", heading) or heading


def choose_title(
    headings: list[Heading] | list[tuple[str, bool]],
    metadata_titles: list[str | None],
    site: SiteName,
    strategy: str = "heading",
) -> str:
    """The title among the page's <h1>s (text, in page chrome?) and metadata titles, best first.

    1. An <h1> (outside page chrome first) that a metadata title agrees with; when the <h1> only adds a
       kicker or label to that title in an element of its own (not one piece of text), the metadata's
       title, however long the label. Else an <h1> that is one part of a metadata title.
    2. The page's only <h1> outside page chrome, when no metadata title agrees with any.
    3. The first metadata title, without the site's name.
    An <h1> that is the site's name is no headline; one written "Headline | Site" is the headline.
    `strategy="metadata"` (measured against it) skips 1 and 2 when there is a metadata title.
    """
    titles = _uncut([clean_title(t) for t in metadata_titles if t and clean_title(t)])
    read = [Heading(*heading) for heading in headings]
    site = site.also_called(_trailing_names(read, titles))
    cleaned = [(_without_date_stamp(_without_site(h.text, site)), h.in_chrome) for h in read]
    # An <h1> written as one piece of text has no kicker in an element of its own: its words are the headline.
    one_piece = {text for (text, _), h in zip(cleaned, read, strict=True) if h.one_piece}
    cleaned = [(text, chrome) for text, chrome in cleaned if text and not site.is_named_by(text)]
    ordered = [text for text, chrome in cleaned if not chrome] + [text for text, chrome in cleaned if chrome]
    stripped = [strip_site_name(t, site) for t in titles]
    if strategy == "metadata" and stripped:
        return stripped[0]
    part_of_a_title = None
    for heading in ordered:
        for title, without_site in zip(titles, stripped, strict=True):
            if agrees(heading, without_site) or agrees(heading, title):
                kicker = heading not in one_piece and _adds_a_kicker(heading, without_site)
                return without_site if kicker else heading
            # A kicker in an element of its own, however long, before the whole title.
            if heading not in one_piece and _ends_with_title(heading, without_site):
                return without_site
            if part_of_a_title is None and _is_segment(heading, title):
                part_of_a_title = heading
    if part_of_a_title:
        return part_of_a_title
    outside_chrome = [text for text, chrome in cleaned if not chrome]
    if len(outside_chrome) == 1:
        return outside_chrome[0]
    # An article's <h1> often sits in a <header>: the page's one headline, even there.
    if not outside_chrome and len(set(ordered)) == 1:
        return ordered[0]
    first = next((s for s in stripped if s), "")
    return _best_typeset(first, stripped) if first else (ordered[0] if ordered else "")


def _best_typeset(title: str, titles: Iterable[str]) -> str:
    """The title as the page sets it elsewhere with typographic dashes and quotes, where metadata
    plugins flatten them ("Januar - Mai" in og:title, "Januar – Mai" in <title>)."""
    same = [t for t in titles if t != title and _normal(t) == _normal(title)]
    return max([title, *same], key=lambda t: sum(ch in TYPOGRAPHIC for ch in t))


def _ends_with_title(heading: str, title: str) -> bool:
    """Whether a heading ends with the whole title, after words of its own."""
    h, t = _normal(heading), _normal(title)
    return bool(t) and len(h) > len(t) and h.endswith(t) and not h[: -len(t)][-1].isalnum()


def _uncut(titles: list[str]) -> list[str]:
    """Metadata titles cut short at an unescaped quote (`content="Biden is "unfit""` reads as "Biden is "),
    each replaced by the title the page states in full elsewhere."""
    whole = []
    for title in titles:
        longer = (t for t in titles if len(t) > len(title) and t.startswith(title))
        whole.append(next((t for t in longer if t[len(title) :].lstrip().startswith(QUOTES)), title))
    return whole


def _adds_a_kicker(heading: str, title: str) -> bool:
    """ "Tunisia: Big tasks for the new government" as <h1> where the metadata says "Big tasks for…"."""
    h, t = _normal(heading), _normal(title)
    return len(t) < len(h) and t in h


def _without_site(heading: str, site: SiteName) -> str:
    """An <h1> written "Headline | Site" is the headline (only a trailing part naming the site is cut)."""
    heading = clean_title(heading)
    cuts = list(TITLE_SEPARATOR.finditer(heading))
    if cuts and heading[: cuts[-1].start()].strip() and site.is_named_by(heading[cuts[-1].end() :]):
        return heading[: cuts[-1].start()].strip()
    return heading


def _trailing_names(headings: list[Heading], titles: list[str]) -> list[str]:
    """<h1>s that only repeat a later, shorter part of a page title ("Post title : Blog name | Motto").

    A blog's name set as its <h1> on every page, with the post's title first in <title>: the name.
    """
    names = []
    for heading in headings:
        text = _normal(heading.text)
        for title in titles:
            parts = [_normal(part) for part in TITLE_SEPARATOR.split(title) if part.strip()]
            if text and text in parts[1:] and len(parts[0]) > len(text):
                names.append(heading.text)
                break
    return names
