"""`proctor serve`: the reviewer web app over one workspace, with uvicorn."""

from __future__ import annotations

from pathlib import Path

import typer

from proctor.cli.common import WorkspaceOpt, console, open_ws


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    workspace: Path | None = WorkspaceOpt,
    secure_cookies: bool | None = typer.Option(
        None,
        "--secure-cookies/--no-secure-cookies",
        help="Send the session cookie over HTTPS only (default: on unless listening on loopback).",
    ),
) -> None:
    """Serve the web app: dashboard, queues, cases, controls and journal, and the JSON API under /api."""
    import uvicorn

    from proctor.web import WebSettings, create_app
    from proctor.web.settings import cookies_secure_for, load_secret

    ws = open_ws(workspace)
    secure = cookies_secure_for(host) if secure_cookies is None else secure_cookies
    settings = WebSettings(secret_key=load_secret(ws.path / "keys"), secure_cookies=secure)
    app = create_app(ws, settings)
    shown = f"[{host}]" if ":" in host else host
    console.print(
        f"Proctor on http://{shown}:{port}/  (workspace {ws.path}; "
        f"cookies {'HTTPS-only' if secure else 'allowed over plain http on loopback'})"
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False, server_header=False)
