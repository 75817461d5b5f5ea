"""Names as a search finds them: the folded form, and a romanisation key that one Korean
name shares across its spellings.

A person's name reaches the archive in many spellings: Hangul (최명옥), Hanja (崔明玉),
McCune-Reischauer (Ch'oe Myŏng-ok), the Revised Romanisation (Choe Myeong-ok), the North's
own (Choe Myong Ok), and the spellings families chose (Choi). :func:`name_key` reduces a
name to a *key*, lower-case ASCII words, that the usual variants share:

1. Script: any letter outside ASCII is transliterated by ``anyascii`` (a maintained table
   of every Unicode block: Hangul to the Revised Romanisation, Hanja to pinyin; a Hangul
   syllable by its jamo here, as anyascii writes it), after diacritics are dropped
   (``ŏ`` ``ŭ`` ``é`` are ``o`` ``u`` ``e``). A Hangul or Hanja word of three or four
   characters (a whole name) is split after its first (the surname), as a romanised
   name is written: 최명옥 is ``choe myeongog`` before the rules below; a word of two (a
   given name, or a short whole name) is kept whole: 명옥 is ``myeongog``, and 김구
   matches Kim Ku by the key without spaces.
2. Marks: apostrophes and their look-alikes (``'`` ``’`` ``ʼ`` ``ʻ`` `````), which mark
   aspiration, are dropped; a hyphen joins the syllables of a given name (``Myong-ok``
   is ``myongok``); other punctuation separates words.
3. Then each word, by these rules in this order (each a regular expression in
   :data:`RULES`, with the spellings it folds):

   ``oo`` -> u (Yoo, Joo); ``ou`` -> u (Youn); ``ee`` -> i (Lee, Rhee, Hee);
   ``eo`` -> o (RR's ㅓ: Jeong, Myeong); ``eu`` -> u (RR's ㅡ: Eun);
   ``ui`` -> i (ㅢ: Hui, Hŭi, Hee, Hi); ``oi``, ``we`` -> oe (ㅚ: Choi, Choe);
   ``ung`` -> ong (the older ㅓ before ng: Chung, Sung); ``sh`` -> s (Shin, Sin);
   ``ch`` -> j (ㅈ and ㅊ alike: Chong, Jong); initial ``rh`` -> r (Rhee);
   ``h`` after a vowel and before a consonant or the end is dropped (Oh, Ahn, Noh);
   initial ``r``, ``l``, ``n`` before ``i`` or ``y`` are dropped (the South's initial
   ㄹ: Ri, Li, Lee, Rim, Ryu); initial ``yi`` -> i (Yi, Yim); any other initial
   ``r``/``l`` -> n (Ro, Roh, No); ``r`` before a consonant or the end is dropped (an
   English r: Park, Pak); any other ``r`` -> l; ``g`` -> k, ``b`` -> p, ``d`` -> t, but
   ``ng`` stays (voicing is spelled either way: Gim, Kim; Bak, Pak; Gang, Kang);
   doubled letters are single (Kimm, the tense ``kk``, ``ss``, ``jj``).

So Choe, Choi, Ch'oe, Chʻoe and 최 are all ``joe``; Ri, Yi, Lee, I, Rhee and 이 are ``i``;
Pak, Park, Bak and 박 ``pak``; Jong, Chong, Jeong, Chung and 정 ``jong``; Myong-ok,
Myeong-ok, Myŏng-ok and Myongok ``myongok``. The rules favour finding over telling apart:
ㅈ and ㅊ share a key, as do 김 Kim and the pinyin of 金 only where they are spelled alike.
Hanja keys are pinyin under the same rules (崔 ``cui``, so ``ci``): a Hanja name is found by its
characters, or by its pinyin.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .values import fold_name

_MARKS = dict.fromkeys(map(ord, "'’‘ʼʻʽ`´"), None)
_NOT_LETTER = re.compile(r"[^a-z]+")
# (pattern, replacement, the spellings it folds): applied to each word, in order.
RULES: tuple[tuple[str, str, str], ...] = (
    (r"oo", "u", "Yoo, Joo"),
    (r"ou", "u", "Youn"),
    (r"ee", "i", "Lee, Rhee, Hee"),
    (r"eo", "o", "Jeong, Myeong (RR's ㅓ)"),
    (r"eu", "u", "Eun (RR's ㅡ)"),
    (r"ui", "i", "Hui, Hee, Hi (ㅢ)"),
    (r"oi|we", "oe", "Choi, Choe (ㅚ)"),
    (r"ung", "ong", "Chung, Sung (an older ㅓ before ng)"),
    (r"sh", "s", "Shin, Sin"),
    (r"ch", "j", "Chong, Jong (ㅈ and ㅊ)"),
    (r"^rh", "r", "Rhee"),
    (r"(?<=[aeiouy])h(?![aeiouy])", "", "Oh, Ahn, Noh"),
    (r"^[rln](?=[iy])", "", "Ri, Li, Lee, Rim, Ryu (initial ㄹ)"),
    (r"^yi", "i", "Yi, Yim"),
    (r"^[rl]", "n", "Ro, Roh, No"),
    (r"r(?![aeiouy])", "", "Park, Pak (an English r)"),
    (r"r", "l", "medial ㄹ, r or l"),
    (r"ng", "N", "(ng is kept from the next rule)"),
    (r"g", "k", "Gim, Kim; Gang, Kang"),
    (r"N", "ng", "(ng restored)"),
    (r"b", "p", "Bak, Pak"),
    (r"d", "t", "Dong, Tong"),
    (r"(.)\1+", r"\1", "Kimm, kk, ss, jj"),
)


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    """RULES compiled when the first word is folded: 1.2 ms every start otherwise, and
    most commands fold no name."""
    return tuple((re.compile(pattern), replacement) for pattern, replacement, _ in RULES)


def _is_han_or_hangul(ch: str) -> bool:
    code = ord(ch)
    return 0xAC00 <= code <= 0xD7A3 or 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF \
        or 0xF900 <= code <= 0xFAFF


def _latin(word: str) -> str:
    """WORD in ASCII: diacritics dropped, any other script transliterated; a Hangul or
    Hanja name of three or four characters split after its surname."""
    plain = unicodedata.normalize("NFC", "".join(
        ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch)))
    if plain.isascii():
        return plain
    if 3 <= len(plain) <= 4 and all(map(_is_han_or_hangul, plain)):
        return f"{_ascii(plain[0])} {_ascii(plain[1:])}"
    return _ascii(plain)


# A Hangul syllable is its initial, medial and final jamo (Unicode's arithmetic: 19 x 21
# x 28 from U+AC00), each romanised as anyascii romanises it (the Revised Romanisation
# letter by letter, the syllable capitalised): the same text as anyascii gives for every
# one of the 11,172 (a test compares them all), without its import and its first look-up
# (45 ms of a command that searches or indexes a Hangul name; anyascii stays for Hanja
# and every other script).
_INITIALS = ("g", "kk", "n", "d", "tt", "l", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch",
             "k", "t", "p", "h")
_MEDIALS = ("a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo",
            "u", "wo", "we", "wi", "yu", "eu", "ui", "i")
_FINALS = ("", "g", "kk", "gs", "n", "nj", "nh", "d", "l", "lg", "lm", "lb", "ls", "lt", "lp",
           "lh", "m", "b", "bs", "s", "ss", "ng", "j", "ch", "k", "t", "p", "h")
_FIRST_SYLLABLE, _LAST_SYLLABLE = 0xAC00, 0xD7A3


def hangul_latin(text: str) -> str | None:
    """TEXT in Latin letters as anyascii writes it, when every character of it is a
    Hangul syllable; None otherwise."""
    out = []
    for ch in text:
        code = ord(ch) - _FIRST_SYLLABLE
        if not 0 <= code <= _LAST_SYLLABLE - _FIRST_SYLLABLE:
            return None
        syllable = _INITIALS[code // 588] + _MEDIALS[code % 588 // 28] + _FINALS[code % 28]
        out.append(syllable.capitalize())
    return "".join(out)


def _ascii(text: str) -> str:
    latin = hangul_latin(text)
    if latin is not None:
        return latin
    from anyascii import anyascii  # imported only for a name in another script

    return str(anyascii(text))


@lru_cache(maxsize=65_536)  # surnames and given names repeat down a list: fold each once
def fold_word(word: str) -> str:
    """One lower-case ASCII word folded by RULES."""
    for pattern, replacement in _compiled():
        word = pattern.sub(replacement, word)
    return word


def name_key(name: str) -> str:
    """The romanisation key of NAME: folded words separated by one space ('' for a name
    with no letter that has a Latin form)."""
    text = fold_name(name).translate(_MARKS).replace("-", "")
    words = " ".join(_latin(word) for word in text.split()).lower()
    folded = (fold_word(word) for word in _NOT_LETTER.split(words) if word)
    return " ".join(word for word in folded if word)


def squashed(key: str) -> str:
    """A key without its spaces: ``Myong Ok`` and ``Myong-ok`` alike."""
    return key.replace(" ", "")


def searchable(name: str) -> tuple[str, str, str]:
    """What a search index keeps of NAME: its folded form, its key, the key squashed."""
    key = name_key(name)
    return fold_name(name), key, squashed(key)
