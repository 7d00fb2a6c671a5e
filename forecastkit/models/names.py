"""Forgiving lookup of registered names (models, recurrent cells, other choices).

A name is found in its *normal form*: lower case, with ``-``, ``_`` and spaces dropped, so
``"cnn-lstm"``, ``"CNN_LSTM"`` and ``"cnnlstm"`` all find ``cnn_lstm``. An unknown name gets
one suggestion, tried in this order on normal forms:

1. the name without an ``lstm`` suffix (``"indylstm"`` suggests ``indy``, ``"stackedlstm"``
   suggests ``stacked``);
2. the only known name starting with it, or with it without the suffix (``"bilstm"``
   suggests ``bidirectional``);
3. the closest known name by :func:`difflib.get_close_matches` (``"vanila"`` suggests
   ``vanilla``).

Lookups are dictionary lookups (the normal forms are computed once).

Examples
--------
>>> names = Names(["vanilla", "stacked", "bidirectional", "cnn_lstm"])
>>> names.find("cnn-lstm"), names.find("vanila")
('cnn_lstm', None)
>>> names.suggest("vanila"), names.suggest("bilstm"), names.suggest("stackedlstm")
('vanilla', 'bidirectional', 'stacked')
>>> Names(["lstm", "indy", "gru"]).suggest("IndyLSTM")
'indy'
"""

from __future__ import annotations

import difflib

__all__ = ["Names", "normal_form"]

_SUFFIX = "lstm"


def normal_form(name: str) -> str:
    """``name`` in lower case without ``-``, ``_`` and spaces.

    Examples
    --------
    >>> normal_form("Encoder-Decoder")
    'encoderdecoder'
    """
    return name.lower().replace("-", "").replace("_", "").replace(" ", "")


class Names:
    """The known names of one kind, found by normal form, with a suggestion for unknown ones."""

    def __init__(self, names) -> None:
        self.names = tuple(names)
        self._by_form = {normal_form(name): name for name in self.names}

    def find(self, name: object) -> str | None:
        """The known name ``name`` is a variant of (itself if known), or None."""
        if not isinstance(name, str):
            return None
        return self._by_form.get(normal_form(name))

    def suggest(self, name: object) -> str | None:
        """The known name an unknown ``name`` most likely meant, or None."""
        if not isinstance(name, str):
            return None
        form = normal_form(name)
        stem = form[: -len(_SUFFIX)] if form.endswith(_SUFFIX) and len(form) > len(_SUFFIX) else form
        if stem in self._by_form:
            return self._by_form[stem]
        for prefix in dict.fromkeys((form, stem)):
            starting = [known for known in self._by_form if len(prefix) >= 2 and known.startswith(prefix)]
            if len(starting) == 1:
                return self._by_form[starting[0]]
        for candidate in dict.fromkeys((form, stem)):
            close = difflib.get_close_matches(candidate, list(self._by_form), n=1)
            if close:
                return self._by_form[close[0]]
        return None

    def hint(self, name: object) -> str:
        """``" Did you mean 'x'?"`` for the suggestion of ``name``, or ``""``."""
        suggestion = self.suggest(name)
        return f" Did you mean {suggestion!r}?" if suggestion else ""
