"""Cheap checks on input text: is it English, is it too long, is a file text at all.

English detection needs no model and decides in microseconds. A unit without a single letter
("???", "12345") has no words to read and is skipped as such, not as a language problem. A unit
written mostly in another script (Cyrillic, Greek, Arabic, Chinese, ...) is not English. Otherwise
the unit's words are looked up in short lists of function words of German, French, Spanish,
Dutch, Italian, Portuguese, Polish, Swedish, Danish, Norwegian and Turkish (only words that are
not also English words), together with a few
endings no English word has ("-ungen", "-zione", "-ção", ...) and lower-case words with accents
that English does not use. Two or more such signs, and more of them than unambiguous English
function words, make the unit not English.

Real English must pass, so the check is lenient:

- a foreign function word counts only when written in lower case or at the start of a sentence
  ("Los Angeles", "Le Mans", "De Beers" are names);
- particles inside names ("Marie de la Cruz", "Jan van den Berg", "Luiz da Silva") do not count;
- acronyms ("LA", "DE"), "e.g.", "i.e." and hyphenated words ("e-mail") are not function words;
- English words that are also function words elsewhere ("a", "in", "is", "was", "we", "do",
  "no", "over", ...) count for neither side;
- units with no or one foreign sign are English, so short comments ("Great motivator!!",
  "Vision?") and job-ad bullets always pass.

Languages written in Latin letters that are not on the list (Finnish, Hungarian, Czech,
Indonesian, ...) are caught only through their accented letters, when a unit has two or more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CHARS = 2000  # far beyond the model's 256 tokens; longer units are cut here (with a note)

NO_WORDS = "no words"

# A word: letters, optionally joined by hyphens or apostrophes ("e-mail", "o'clock", "l'équipe"),
# not touching a digit (the "e" and "a" of "5e3a7f" or "Q3" are no words).
_WORD_RE = re.compile(r"(?<![^\W_])[^\W\d_]+(?:['’\-][^\W\d_]+)*(?![^\W_])", re.UNICODE)
_ABBREV_RE = re.compile(r"\b(?:e\.g|i\.e|etc|cf|viz)\.", re.IGNORECASE)
# French elision at the start of a word: l'équipe, d'une, qu'il (not "don't", "rock n' roll").
_ELISION_RE = re.compile(r"(?<![\w'’])(?:l|d|qu|j|n|c|s)['’][^\W\d_]")
# Where a sentence (or list item) starts: a capital after these is not a name.
_SENTENCE_START = frozenset(".!?:;•*-–—\"“'‘(")


def _words(text: str) -> frozenset[str]:
    """A word list written as text, one word after another."""
    return frozenset(text.split())


# Unambiguous English function words: each counts as one sign of English.
ENGLISH = _words(
    """
    the and or but of to at for with from by be been being it its this that these those you
    they he she i our your their his her my us them not does did have has would can could
    should must may might shall which who whom what when where why how if than then there here
    very more most all any each every some about into were are been just only also
    """
)
# English words that are also common function words of a listed language: no sign either way.
AMBIGUOUS = _words("a an in is was we over will had on so me no do as")
# Function words of other languages that are not (common) English words, by language.
FOREIGN_BY_LANGUAGE: dict[str, frozenset[str]] = {
    "German": _words(
        """
        und der die das des dem den ist sind nicht mit ein eine einen einem einer sich auch
        wir werden wird wurde wurden für auf zu von vom zum zur im ich sie es oder aber wenn
        dass daß noch nach bei aus wie kann können muss müssen soll sollen haben sein seine
        ihre ihr unser unsere unseren unserer sehr mehr nur schon alle alles diese dieser
        dieses durch über gegen ohne jetzt immer hier weil uns euch mich dich sehr ganz gute guter
        guten danke
        """
    ),
    "French": _words(
        """
        le la les des du au aux est et un une pour dans nous vous pas avec sur qui que ces
        cette ce sont être très en il elle ils elles leur leurs notre nos votre vos mais ou
        où tout tous toutes sa ses je ne cela ont avons été comme bien bon bonne merci
        """
    ),
    "Spanish": _words(
        """
        el la los las y una para por con del lo está están como pero más sus también es muy
        que se su nuestro nuestra nuestros nuestras este esta estos estas ser sobre entre
        cuando donde porque todos todo todas hemos han fue ya al le les de en bien buen buena
        gracias
        """
    ),
    "Dutch": _words(
        """
        de het een en van niet wij zijn voor maar ook naar bij deze worden wordt te om op dat
        er aan uit ik je jij hij ze onze ons heeft hebben kan kunnen moet moeten nog geen dit
        zal zullen wel tot omdat als veel meer goed zo dan bedankt
        """
    ),
    "Italian": _words(
        """
        il della che non sono gli delle questo questa anche alla nel nella e di da con un una
        lo la le del dei degli ai alle dal dalla è hanno siamo sul sulla più molto tutto tutti
        nostro nostra nostri suo sua se ci si io noi loro essere stato buon buona grazie
        """
    ),
    "Portuguese": _words(
        """
        não uma com os são pelo pela mais também está o e da dos das na nos em um para por que
        se ao aos às é foi ser seu sua nosso nossa nossos muito como ou mas isso este esta
        estão temos tem há já de bom boa obrigado obrigada
        """
    ),
    "Polish": _words(
        """
        się nie jest są że dla czy już jak oraz przez przy tylko bardzo który która które
        jego jej może także też wszystko wszystkich dobrze dziękuję zespół być był była
        """
    ),
    "Swedish": _words(
        """
        och att det som är på för har inte av jag ett eller från efter också mycket bara
        alla när här där vår våra vårt deras tack kan ska skulle
        """
    ),
    "Danish and Norwegian": _words(
        """
        og ikke er jeg skal være også meget mye vores våre hvorfor hvad hva hun mig dig
        """
    ),
    "Turkish": _words(
        """
        ve bir bu için ile çok daha ama gibi olarak olan değil kadar sonra önce tüm bütün şu
        biz siz onlar iyi teşekkürler mi mı
        """
    ),
}
FOREIGN = frozenset().union(*FOREIGN_BY_LANGUAGE.values()) - ENGLISH - AMBIGUOUS
# Lower-case particles of names ("de la Cruz", "van den Berg"): no sign when they sit between
# capitalised words.
_PARTICLES = _words("de da di do dos das del della van von der den ten ter la le du des y e")
# Endings that no common English word has (on words of six letters or more; "-ung" of seven).
_SUFFIXES = (
    "ungen", "keit", "heit", "schaft", "heid", "lijk", "lijke",
    "zione", "zioni", "ción", "ciones", "idad", "ção", "ções", "idade",
)  # fmt: skip


def _suffix_signs(words: list[str]) -> int:
    """How many (lower-case) words end the way only German, Dutch or Romance words do."""
    return sum(
        1
        for w in words
        if len(w) >= 6 and (w.endswith(_SUFFIXES) or (len(w) >= 7 and w.endswith("ung")))
    )


# Lower-case words with accents that English uses only in these loanwords.
_LOANWORDS = _words(
    """
    café cafés résumé résumés resumé naïve naïvely naïveté fiancé fiancée cliché clichés déjà
    façade protégé protégée touché rôle élan über entrée décor coördinate coöperate soirée
    """
)
_FOREIGN_ACCENTS = frozenset("äöüßñãõçàèìòùâêîôûéíóúëïœąćęłńśźżåæøğışčřšžěů")


@dataclass(frozen=True)
class LanguageCheck:
    """Whether a unit is English, and if not why (reason "no words" when it has no letters)."""

    english: bool
    reason: str

    @property
    def skip(self) -> str | None:
        """Why the analyzer leaves the unit out: None, "no words" or "not English (...)"."""
        if self.english:
            return None
        return NO_WORDS if self.reason == NO_WORDS else f"not English ({self.reason})"


def _starts_sentence(text: str, pos: int) -> bool:
    """True when nothing but spaces and sentence or bullet punctuation precede `pos`."""
    i = pos - 1
    while i >= 0 and text[i] == " ":
        i -= 1
    return i < 0 or text[i] in _SENTENCE_START


def _foreign_signs(text: str) -> int:
    """Count signs of another language in `text` (see the module docstring)."""
    if not any(c.islower() for c in text):
        text = text.lower()  # all capitals: read it as ordinary text
    matches = list(_WORD_RE.finditer(text))
    signs = 0
    for n, m in enumerate(matches):
        word = m.group()
        low = word.lower()
        if low in FOREIGN:
            if word != low and not (word.istitle() and _starts_sentence(text, m.start())):
                continue  # a name ("Los Angeles") or an acronym ("LA")
            if low in _PARTICLES and _between_names(matches, n):
                continue
            signs += 1
        elif (
            not low.isascii()
            and word == low
            and low not in _LOANWORDS
            and _ELISION_RE.match(low) is None  # counted once below
            and any(c in _FOREIGN_ACCENTS for c in low)
        ):
            signs += 1
    # French elision (l'équipe, d'une, qu'il) and endings no English word has
    words = [m.group().lower() for m in matches]
    return signs + len(_ELISION_RE.findall(text)) + _suffix_signs(words)


def _between_names(matches: list[re.Match[str]], n: int) -> bool:
    """True when the particle at `n` belongs to a run of particles between capitalised words."""
    before = n - 1
    while before >= 0 and matches[before].group() in _PARTICLES:
        before -= 1
    after = n + 1
    while after < len(matches) and matches[after].group() in _PARTICLES:
        after += 1
    return (
        before >= 0
        and after < len(matches)
        and matches[before].group()[:1].isupper()
        and matches[after].group()[:1].isupper()
    )


def check_english(text: str) -> LanguageCheck:
    """Decide cheaply whether a unit is English text the model can read."""
    if text.isascii():
        if not any(c.isalpha() for c in text):
            return LanguageCheck(False, NO_WORDS)
    else:
        letters = [c for c in text if c.isalpha()]
        if not letters:
            return LanguageCheck(False, NO_WORDS)
        ascii_share = sum(1 for c in letters if c.isascii()) / len(letters)
        if ascii_share < 0.7:
            return LanguageCheck(False, f"only {ascii_share:.0%} Latin letters")
    text = _ABBREV_RE.sub(" ", text)
    words = _WORD_RE.findall(text.lower())
    if (
        FOREIGN.isdisjoint(words)
        and text.isascii()
        and _ELISION_RE.search(text) is None
        and _suffix_signs(words) == 0
    ):
        return LanguageCheck(True, "")  # the common case: plain English, decided in one pass
    foreign = _foreign_signs(text)
    if foreign < 2:
        return LanguageCheck(True, "")
    en = sum(1 for w in words if w in ENGLISH)
    if foreign > en:
        return LanguageCheck(False, f"{foreign} signs of another language, {en} English words")
    return LanguageCheck(True, "")


def truncate(text: str, limit: int = MAX_CHARS) -> tuple[str, bool]:
    """Cut a unit to `limit` characters at a word boundary; True when it was cut."""
    if len(text) <= limit:
        return text, False
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit], True


def looks_binary(head: bytes) -> bool:
    """A NUL byte in the first block means a binary file (UTF-8 text never holds one)."""
    return b"\x00" in head
