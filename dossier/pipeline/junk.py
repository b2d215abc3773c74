"""junk: the rules that tell a scraped page's furniture from its story, one line at a time.

Pattern tables and pure predicates over one line of text: what navigation, a video
player's note, a teaser, a caption with its credit, a byline or an author bio look
like, and the shapes (headline, sentence, pull quote) the passes in pipeline/clean.py weigh
by position. Each kind is a family of wordings, not a list of lines, since every
copy rewords its junk.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..text import ascii_words
from .bounds import tokens

_CLOSERS = "”’\"')]»›"
_OPEN_QUOTES = "“‘\"'«"

# Whole-line furniture, matched against the full line, so an ordinary sentence
# that merely starts with "Search" or "Related" is safe.
_NAV = re.compile(
    r"(?i)^(?:connect with us|follow us(?: on \w+)?|social navigation|toggle navigation|"
    r"navigation|skip to (?:main )?content|(?:main |open |close )?menu|search|home|"
    r"sign in|log ?in|register|subscribe|(?:hi,? )?what are you looking for\??|"
    r"breadcrumbs?|share(?: this)?(?: article| story| on \w+)?|print|email|close)$")
# What a player leaves when it cannot show the video ("use Chrome browser for a
# more accessible video player"), and "Watch:"/"Video:" labels.
_VIDEO = re.compile(
    r"(?i)(?:\b(?:use|using|switch to|try|upgrade)\b.{0,40}\b(?:browser|chrome|firefox|safari)\b"
    r".{0,40}\bvideo\b|\b(?:for|to access|to use) (?:a|the) (?:more accessible|better) video "
    r"player|your browser (?:does not|doesn'?t|cannot|can'?t) (?:support|play)|"
    r"(?:enable|turn on) javascript|this video (?:is|can ?not|cannot|isn'?t)\b|"
    r"video (?:unavailable|is not available)|click (?:here )?to (?:watch|play)|"
    r"^(?:watch|video|play video|watch now|watch video|watch the video|watch live|"
    r"media caption)\b\s*(?:[:：|–—-]|$))")
# "Read more:" and kin; text after the colon is itself a teaser headline.
_TEASER = re.compile(
    r"(?i)^(?:read more|read also|also read|more reading|continue reading|keep reading|"
    r"related|related (?:stories|articles?|content|coverage|reading|links?|topics|news)|"
    r"see also|more on (?:this|that) (?:story|topic)|recommended(?: reading)?|"
    r"further reading|don'?t miss|must read|in other news)\s*(?:[:：»›|–—-]\s*.*)?$")
# Headers of boxes of other stories; near the end of a page they end the article.
SIDEBAR = re.compile(
    r"(?i)^(?:products you may like|(?:you|readers) (?:may|might) also (?:like|enjoy)|"
    r"latest tweets|related posts|more stories|more from (?:this|our) \w+|"
    r"recommended for you|most (?:read|popular|viewed|shared)|popular (?:posts|stories|now)|"
    r"top stories|trending(?: stories| now| articles)?|leave a (?:reply|comment)|"
    r"(?:\d+ )?comments|\d+ comment|share this:?|like this:?|tags?:.*|sponsored (?:stories|links|content)|"
    r"(?:from )?around the web|more in [\w ]{1,30}|what to read next|latest news|"
    r"you may be interested in)$")
_SOURCE = re.compile(
    r"(?i)^(?:(?:sources?|source link|via|originally published|first published)"
    r"(?: (?:on|at|in|by))?\s*[:：]\s*\S.*|(?:originally|first) published (?:on|at|in|by) .+|"
    r"(?:read|see|view) the original (?:article|story|post)\b.*)$")
_BOILER = re.compile(
    r"(?i)^(?:advertisement|advert|ad|sponsored(?: content\b.*)?|"
    r"breaking news(?:\s*[-–—:|].*)?|listen to (?:this|the) (?:article|story)\b.*|"
    r"(?:sign up|subscribe)\b.*\b(?:newsletter|inbox|briefing|updates)\b.*|"
    r"follow us (?:on|for)\b.*|copyright (?:©\s*)?\d{4}\b.*|©.*|.*\ball rights reserved\.?|"
    r"this (?:story|article|report) (?:has been|was) (?:updated|produced|corrected)\b.*|"
    r"our standards:.*|(?:click|tap) here\b.*|download (?:the|our) app\b.*|"
    r"\((?:additional )?(?:reporting|writing|editing) by\b.*\))$")
# A consent banner: the site, in its own voice, about cookies or personal data ("We use
# cookies…", "Diese Website verwendet Cookies", "Ce site utilise des cookies", "would like
# to process and share personal data"). An article about cookies does not say "we use" them.
_CONSENT = re.compile(
    r"(?i)\b(?:we|this (?:web)?site|our (?:web)?site|(?:site|website|page) (?:uses|utilise|gebruikt)|"
    r"nous|ce site|wir|diese (?:web)?seite|(?:este )?sitio|deze site|[\w.]+ (?:would like|wants) to)\b"
    r".{0,60}\b(?:use[sd]?|utilise[nrz]?|utilisons|verwende[nt]|nutze[nt]|utiliza(?:mos)?|usa(?:mos)?|"
    r"gebruik(?:t|en)|collect|process|share|store|place)\b.{0,80}"
    r"\b(?:cookies?|trackers?|personal (?:data|information)|données personnelles|datos personales|"
    r"personenbezogene)")
DATELINE = re.compile(r"(?i)^(?:published|updated|posted|last updated)\b(?=.*\d).{0,60}$")
# "Image:" / "Image Xi Jinping was…" (a capital must follow, so "Image is…" is prose).
_IMAGE = re.compile(r"^(?:Image|IMAGE|Photo|PHOTO|Picture|Photograph|Pictured|Caption|Image "
                    r"caption|Photo caption)(?:\s*[:：,–—-]\s*|\s+(?=[A-Z“‘\"]))(.*)$")
_IMAGE_CREDIT = re.compile(r"^(?:Image|Photo|Picture)s? (?:source|credit)s?\b")
# What marks a credit: a "Name/Agency" slash, "via", agency and picture-desk words.
_CUE_WORDS = ("via", "Getty", "Images", "Credit", "REUTERS", "Reuters", "AP", "AFP", "EPA", "Bloomberg",
              "Xinhua", "TASS", "Sputnik", "Shutterstock", "Alamy", "Kyodo", "Yonhap", "Anadolu",
              "NurPhoto", "SOPA", "NBC News", "CNN", "BBC")
_CREDIT_CUE = re.compile(rf"/|©|\bPhoto(?:graph)?s?\b|\b(?:{'|'.join(_CUE_WORDS)})\b|\bFile\.?$")


def _any_of(words) -> re.Pattern:
    r"""A first look for plain strings: one pattern of them, which re finds by a quick scan
    for their first letters, many times quicker than \b alternatives (tried at every
    position of a long paragraph) and about twice as quick as an `in` for each."""
    return re.compile("|".join(map(re.escape, words)))


_CUE_TEXT = _any_of(("/", "©", "Photo", "File") + _CUE_WORDS)  # text without one has no cue
_CREDIT_SMALL = {"via", "by", "for", "and", "of", "the", "de", "da", "von", "van", "der",
                 "la", "le", "file", "courtesy", "handout", "pool", "staff", "/", "-", "–", "—", "|"}
# Sentence seams in a caption, including the glued ".Fred Dufour/NBC News".
_CHUNK_BREAK = re.compile(r"(?<=[.!?])\s+|(?<=[a-z0-9)”’][.!?])(?=[A-Z])|\s+[|•]\s+")
_PAREN_TAIL = re.compile(r"\s*\(([^()]{1,80})\)$")
_NAME = r"[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){1,3}"
_NAME_LINE = re.compile(rf"^{_NAME}$")
BY = re.compile(rf"^(?:By|BY|Written by|Words by)\s+(?P<name>{_NAME}(?: (?:and|&) {_NAME})?)"
                 r"(?:\s*[,|;–—-].*)?$")
_BIO = re.compile(
    rf"^(?:{_NAME} (?:is|was|has been|reports|writes|covers)\b.{{0,80}}?"
    r"\b(?:correspondent|reporter|editor|journalist|writer|columnist|producer|contributor|"
    r"presenter|anchor|photographer|bureau chief|freelance)|(?i:about the authors?:?$))")
_HOUSE = re.compile(r"\b(?:at|for|with) (?:the )?[A-Z]|\bbased in\b|^[Aa]bout the author")


def words(t: str) -> int:
    return len(t.split())


def ends_sentence(t: str) -> bool:
    return t.rstrip(_CLOSERS)[-1:] in (".", "!", "?", "…")


def headline_like(t: str, max_words: int) -> bool:
    """Shaped like a headline or a label: short, no closing punctuation."""
    return not ends_sentence(t) and not t.endswith(":") and words(t) <= max_words


def pull_quote(t: str) -> bool:
    return len(t) > 2 and t[0] in _OPEN_QUOTES and t[-1] in _CLOSERS[:3]


def word_key(t: str) -> str:
    """The words only, case-folded: how two printings of one line are compared.
    An ASCII line (most; isascii() is a flag, not a scan) is cut by a byte table, where
    a word character is [A-Za-z0-9_] and casefold is lower: the same words, a third of
    the time."""
    if t.isascii():
        return " ".join(t.lower().encode().translate(_WORD_BYTES).decode().split())
    return " ".join(_WORD.findall(t.casefold()))


_WORD = re.compile(r"\w+")
_WORD_BYTES = ascii_words(keep="_")  # \w of ASCII text


_FURNITURE = (("navigation", _NAV.match), ("video-note", _VIDEO.search),
              ("teaser", _TEASER.match), ("source-line", _SOURCE.match),
              ("boilerplate", _BOILER.match), ("credit", _IMAGE_CREDIT.match))


@lru_cache(maxsize=1 << 14)
def furniture(t: str) -> str | None:
    """The reason for a line that is junk wherever it stands, judged on its own."""
    n = words(t)
    if n > 25:
        return None
    return next((r for r, test in _FURNITURE if test(t) and (n <= 8 or r != "source-line")), None)


_CONSENT_WORDS = ("cookie", "tracker", "personal", "personnelles", "personales", "personenbezogen")
_CONSENT_WORD = re.compile("(?i)" + "|".join(_CONSENT_WORDS))
_CONSENT_LOWER = _any_of(_CONSENT_WORDS)


def consent(t: str) -> bool:
    return words(t) <= 120 and _consent_word(t) and _CONSENT.search(t) is not None


def _consent_word(t: str) -> bool:
    # ASCII text (most lines; isascii() is a flag, not a scan) is searched lowercased,
    # which there is exactly the case-blind regex and several times faster; in other
    # text the regex decides, with re's own case rules (ſ is an s to it, K a k)
    found = _CONSENT_LOWER.search(t.lower()) if t.isascii() else _CONSENT_WORD.search(t)
    return found is not None


def body_like(t: str) -> bool:
    if furniture(t) or _IMAGE.match(t) or _split_credit(t):
        return False
    # Any sentence ends the header, however short ("It was cold."), so that a
    # subheading further down can never be taken for the headline.
    return (ends_sentence(t) and not t.endswith("?")) or words(t) > 30


def title_like(t: str) -> bool:
    t = t.lstrip("#").strip()
    n = words(t)
    return 3 <= n <= 25 and not t.rstrip(_CLOSERS).endswith(".") and (
        not t.endswith("?") or n <= 12) and not pull_quote(t)


def same_title(a: str, b: str) -> bool:
    """Near enough that the text's headline is the meta title reworded or cut."""
    wa, wb = set(word_key(a).split()), set(word_key(b).split())
    return bool(wa and wb) and len(wa & wb) >= 0.6 * min(len(wa), len(wb))


@lru_cache(maxsize=1 << 14)  # asked of each line by the header, the span and the caption passes
def caption_parts(t: str) -> tuple[str, str, str | None] | None:
    """(reason, caption, credit) when the line itself says it is a caption or a credit."""
    if m := _IMAGE.match(t):
        caption, credit = _split_credit(m[1]) or (m[1], None)
        return ("credit" if credit and not caption else "caption"), caption, credit  # "Photo: AP"
    if (parts := _split_credit(t)) and words(parts[0]) <= 60:
        return ("caption" if parts[0] else "credit"), parts[0], parts[1]
    return None


def _split_credit(t: str) -> tuple[str, str] | None:
    """Split "caption. Name/Agency" into (caption, credit); None if no credit ends it."""
    if _CUE_TEXT.search(t) is None:  # the common case, without splitting t
        return None
    m = _PAREN_TAIL.search(t)
    if m and _credit_like(m[1]):
        return t[:m.start()].strip(), m[0].strip()
    starts = [0] + [b.end() for b in _CHUNK_BREAK.finditer(t)]
    cut, cued = None, False
    for s, e in reversed(list(zip(starts, starts[1:] + [len(t)]))):
        chunk = t[s:e].strip(" |•")
        if _credit_like(chunk):
            cut, cued = s, True
        elif not cued and _shouting(chunk):
            cut = s  # "NO COMMERCIAL OR EDITORIAL SALES" after an agency credit
        else:
            break
    if cut is None or not cued:
        return None
    return t[:cut].strip(" |•"), t[cut:].strip(" |•")


def _credit_like(chunk: str) -> bool:
    """A short run of capitalised names with a credit cue: "Fred Dufour/NBC News"."""
    ws = chunk.split()  # words counted by shape: a sentence of Chinese has no spaces
    if not ws or tokens(chunk) > 12 or len(chunk) > 100 or not _CREDIT_CUE.search(chunk):
        return False
    content = [w for w in ws if w.casefold().strip(".,:;()") not in _CREDIT_SMALL]
    return all(w[0].isupper() or w[0].isdigit() or w[0] in "(©/" or "/" in w for w in content)


def _shouting(chunk: str) -> bool:
    if not chunk.isupper():  # a lower-case letter, or no cased one: not all letters are capitals
        return False
    letters = [c for c in chunk if c.isalpha()]
    return words(chunk) >= 2 and len(letters) >= 6 and all(c.isupper() for c in letters)


def bio_named(t: str, above: str | None) -> bool:
    """Is `above` the name line of the bio `t` ("Joanna Swanson" over "Joanna Swanson is …")?"""
    return bool(above and _NAME_LINE.match(above) and t.startswith(above.split()[0]))


def is_bio(t: str, named: bool) -> bool:
    """An author bio ("X is a correspondent at …"). Without its name line above, a bio
    must name a house ("at the Thomson Reuters Foundation", "based in Brussels"): a
    closing sentence about a local editor is not one."""
    return bool(_BIO.match(t) and (named or _HOUSE.search(t)))
