"""`shopassist cluster` reuses the compose proxy's nginx config (deploy/nginx.conf) with local ports."""

from __future__ import annotations

from pathlib import Path

from serving.cluster import DEPLOY, nginx_config


def test_the_local_balancer_is_the_compose_proxy_with_local_ports(tmp_path: Path) -> None:
    config = nginx_config(18080, [18081, 18082], tmp_path)
    assert "server 127.0.0.1:18081 max_fails=1 fail_timeout=5s;" in config
    assert "server 127.0.0.1:18082 max_fails=1 fail_timeout=5s;" in config
    assert "listen 127.0.0.1:18080;" in config and "api-1:8080" not in config
    compose = (DEPLOY / "nginx.conf").read_text()
    for line in ("proxy_set_header Upgrade $http_upgrade;", "proxy_buffering off;", "proxy_read_timeout 3600s;"):
        assert line in compose and line in config
    assert config.count("{") == config.count("}")
