"""A typed context, so handlers read ``context.services`` instead of casting ``bot_data`` entries
(the pattern of PTB's ``examples/contexttypesbot.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from telegram.ext import Application, CallbackContext, ExtBot

from bot.access import AccessPolicy
from bot.commands import Commands
from bot.core import Dossier
from bot.settings import Settings
from handlers.access import MembershipCache
from handlers.caller import ChatAdmins


@dataclass
class Services:
    """Everything the handlers need, built once at start-up."""

    settings: Settings
    dossier: Dossier
    commands: Commands
    policy: AccessPolicy
    members: MembershipCache
    chat_admins: ChatAdmins = field(default_factory=ChatAdmins)  # who administers the groups asked in


class DossierContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    @property
    def services(self) -> Services:
        services = self.bot_data.get("services")
        if not isinstance(services, Services):
            raise RuntimeError("Dossier services are not set up (build the app with handlers.app)")
        return services

    @property
    def app(self) -> DossierApp:
        return cast("DossierApp", self.application)


DossierApp = Application[ExtBot[None], DossierContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
