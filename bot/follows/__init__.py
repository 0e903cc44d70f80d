"""Follows: a chat follows a person or a query, and hears of every new document that matches.

- ``matcher.py``: arriving documents matched against every follow once each (person follows through the
  people index, query follows through ``bot.search.percolate``), the hits recorded with the match cursor;
- ``alerts.py``: a chat's instant hits folded into one alert and delivered exactly once, quiet hours, and
  the "follows" section that leads a digest;
- the commands are ``bot/commands/follow.py``; the Telegram job and buttons ``handlers/follows.py``; the
  tables ``bot.store.FollowStore``.
"""
