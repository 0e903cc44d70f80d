"""``python -m bot.healthcheck``: the container's HEALTHCHECK. Exit 0 when the running bot's ``/healthz``
answers 200, 1 otherwise (503 while the index loads or the store fails, or nothing listening), with
its answer on stdout for ``docker inspect``.

Standard library only, and no settings parsing: Docker runs it every 30 s, and a slim image has no curl.
It asks ``DOSSIER_METRICS_PORT`` on this host (the Dockerfile sets the port, so the listener is on).
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request

TIMEOUT = 4.0  # seconds: under the HEALTHCHECK's --timeout


def main() -> int:
    port = os.environ.get("DOSSIER_METRICS_PORT", "").strip()
    if not port.isdigit():
        print("DOSSIER_METRICS_PORT is not set: the bot serves no /healthz")
        return 1
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            print(response.read().decode("utf-8", "replace"))
            return 0
    except urllib.error.HTTPError as exc:  # 503: the body says why
        print(exc.read().decode("utf-8", "replace"))
        exc.close()
        return 1
    except OSError as exc:  # nothing listening yet, or it does not answer in time
        print(f"{url}: {exc}")
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
