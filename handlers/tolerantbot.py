"""An ``ExtBot`` that skips an update it cannot read instead of stopping on it.

PTB parses a whole ``getUpdates`` batch at once: one update this PTB cannot parse (a field of a newer Bot
API, a malformed payload) makes the batch fail, the offset never moves past it, and the updater fetches
the same batch forever, logging the whole payload each time (an outside test filled 987 MB of log in
seven minutes; nobody got an answer). Here each update of a batch is checked on its own: one that does
not parse is logged once, in one line, and replaced by its bare ``update_id``, which no handler matches
and which moves the offset on, so the rest of the batch and everything after it are served.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import JSONDict, ODVInput
from telegram.ext import ExtBot

log = logging.getLogger(__name__)


class TolerantBot(ExtBot[Any]):
    """``ExtBot`` whose ``getUpdates`` results are read one update at a time (see the module doc)."""

    async def _post(
        self,
        endpoint: str,
        data: JSONDict | None = None,
        *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
        api_kwargs: JSONDict | None = None,
    ) -> Any:
        result = await super()._post(
            endpoint,
            data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            api_kwargs=api_kwargs,
        )
        if endpoint == "getUpdates" and isinstance(result, list):
            return [readable for raw in result if (readable := self._readable(raw)) is not None]
        return result

    def _readable(self, raw: Any) -> JSONDict | None:
        """``raw`` if PTB can parse it; else its bare id (logged once); nothing if it has no id."""
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        try:
            Update.de_json(copy.deepcopy(raw), self)
        except Exception as exc:  # whatever PTB raises on it, the update is skipped, never the batch
            kinds = ", ".join(k for k in raw if k != "update_id") if isinstance(raw, dict) else "?"
            log.error("update %s (%s) cannot be read and is skipped: %s", update_id, kinds, exc)
            return {"update_id": update_id} if isinstance(update_id, int) else None
        return raw if isinstance(raw, dict) else None
