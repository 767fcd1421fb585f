"""The one rule for an e-mail address, used by every form, import and API body.

An address is a local part, one @, and a domain with at least one dot, none of them holding
white space, quotes, angle brackets, commas or semicolons (which is where a list of addresses,
"Name <a@b.org>" or a typo such as "a@b,org" would otherwise slip through), and the domain
neither starting nor ending with a dot. At most 320 characters. This does not prove that the
address receives mail; it refuses what cannot be one.
"""

from __future__ import annotations

import re

MAX_ADDRESS = 320
EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;.][^@\s<>\"',;]*\.[^@\s<>\"',;.]+$")


def is_address(text: str) -> bool:
    """True when `text` (already stripped and lower-cased) can be an e-mail address."""
    return len(text) <= MAX_ADDRESS and EMAIL.match(text) is not None
