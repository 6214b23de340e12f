"""`shopassist cluster` reuses the compose proxy's nginx config (deploy/nginx.conf) with local ports; its replicas
get the compose `api` environment pointed at the cluster's services."""

from __future__ import annotations

from pathlib import Path

from serving.cluster import DEPLOY, Cluster, Service, nginx_config
from serving.cluster_cli import replica_env


def test_the_local_balancer_is_the_compose_proxy_with_local_ports(tmp_path: Path) -> None:
    config = nginx_config(18080, [18081, 18082], tmp_path)
    assert "server 127.0.0.1:18081 max_fails=1 fail_timeout=5s;" in config
    assert "server 127.0.0.1:18082 max_fails=1 fail_timeout=5s;" in config
    assert "listen 127.0.0.1:18080;" in config and "api-1:8080" not in config
    compose = (DEPLOY / "nginx.conf").read_text()
    for line in ("proxy_set_header Upgrade $http_upgrade;", "proxy_buffering off;", "proxy_read_timeout 3600s;"):
        assert line in compose and line in config
    assert config.count("{") == config.count("}")


def _cluster_with(tmp_path: Path, *names: str) -> Cluster:
    cluster = Cluster(tmp_path)
    for port, name in enumerate(names, start=15432):
        cluster.state.services[name] = Service(name=name, command=["true"], port=port)
    return cluster


def test_replicas_reach_the_scripted_llm_server_or_the_one_given(tmp_path: Path) -> None:
    scripted = replica_env(_cluster_with(tmp_path, "postgres", "redis", "chroma", "llm"), tmp_path / "data")
    assert scripted["SHOPASSIST_LLM_BASE_URL"] == "http://127.0.0.1:15435/v1"
    assert scripted["SHOPASSIST_LLM_MODEL"] == "scripted-bench"
    served = replica_env(_cluster_with(tmp_path, "postgres", "redis", "chroma"), tmp_path / "data",
                         "http://127.0.0.1:8001/v1", "qwen2.5-coder-1.5b-instruct")
    assert served["SHOPASSIST_LLM_BASE_URL"] == "http://127.0.0.1:8001/v1"
    assert served["SHOPASSIST_LLM_MODEL"] == "qwen2.5-coder-1.5b-instruct"
    assert served["SHOPASSIST_DATABASE_URL"].endswith("@127.0.0.1:15432/shopassist")
