"""The production docker-compose.yml keeps Temporal behind the fence and no secret has a default.

Three layers, so the file is checked wherever the tests run:

- `docker compose config -q` when a Compose v2 binary runs here (it needs no daemon);
  skipped otherwise;
- the Compose Specification JSON schema, vendored in deploy/compose-spec.schema.json (the
  schema Docker Compose v2.40.3 embeds, from its compose-go library, Apache-2.0);
- our own rules, read with PyYAML: what may be published, secrets, the Temporal images and
  the order in which the one-shot jobs run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
SCHEMA_FILE = ROOT / "deploy" / "compose-spec.schema.json"
ENV_EXAMPLE = ROOT / ".env.example"

# The only services that may listen beyond the host's loopback: the API (its own
# authentication) and the optional authenticating proxy in front of the Temporal UI.
PUBLIC_SERVICES = {"api", "ui-proxy"}
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|_PWD$|_KEY$|HASH", re.IGNORECASE)
# ${NAME}, ${NAME:-x}, ${NAME-x}, ${NAME:?x}, ... but not the escaped $${NAME} meant for a shell.
INTERPOLATION = re.compile(r"(?<!\$)\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?+])?")
REQUIRED_SECRETS = {"POSTGRES_PASSWORD", "AUTH_SECRET"}
FAKE_ENV = {"POSTGRES_PASSWORD": "test-only-password", "AUTH_SECRET": "t" * 48}


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _services() -> dict[str, dict[str, Any]]:
    services = _compose()["services"]
    assert isinstance(services, dict)
    return services


def _service(name: str) -> dict[str, Any]:
    service = _services().get(name)
    assert isinstance(service, dict), f"docker-compose.yml has no service {name!r}"
    return service


def _environment(service: dict[str, Any]) -> dict[str, str | None]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (str(item).partition("=") for item in env)
        return {key: (value if sep else None) for key, sep, value in pairs}
    assert isinstance(env, dict)
    return {str(key): None if value is None else str(value) for key, value in env.items()}


def _host_ip(port: Any) -> str | None:
    """The host address a port entry binds; None when it binds every interface."""
    if isinstance(port, dict):
        host_ip = port.get("host_ip")
        return str(host_ip) if host_ip else None
    text = str(port)
    if text.startswith("["):  # [::1]:7233:7233
        return text[1 : text.index("]")]
    parts = text.split(":")
    return parts[0] if len(parts) == 3 else None


def _depends_on(service: dict[str, Any]) -> dict[str, str]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {str(name): "service_started" for name in deps}
    return {
        str(name): str((spec or {}).get("condition", "service_started"))
        for name, spec in deps.items()
    }


def _image(service: dict[str, Any]) -> tuple[str, str]:
    repository, _, tag = str(service.get("image", "")).partition(":")
    return repository, tag


# --- the Compose tools' own checks ----------------------------------------------------------


def _compose_command() -> list[str] | None:
    """A Compose v2 command line that answers here, or None."""
    candidates: list[list[str]] = []
    if docker := shutil.which("docker"):
        candidates.append([docker, "compose"])
    if docker_compose := shutil.which("docker-compose"):
        candidates.append([docker_compose])
    for command in candidates:
        try:
            probe = subprocess.run(
                [*command, "version"], capture_output=True, text=True, timeout=30, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0 and "v2." in probe.stdout:
            return command
    return None


def _inherited_environment() -> dict[str, str]:
    """This process's environment (the docker CLI finds its plugins through it), less
    anything that would fill in the required secrets or redirect Compose."""
    return {
        key: value
        for key, value in os.environ.items()
        if key not in REQUIRED_SECRETS and not key.startswith("COMPOSE_")
    }


def _run_config(command: list[str], env: dict[str, str], tmp_path: Path, *extra: str) -> Any:
    # An empty env file, so a developer's .env next to the compose file changes nothing.
    empty_env_file = tmp_path / "empty.env"
    empty_env_file.write_text("", encoding="utf-8")
    return subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), "--env-file", str(empty_env_file), *extra]
        + ["config", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
        env={**_inherited_environment(), **env},
    )


def test_docker_compose_config_accepts_the_file(tmp_path: Path) -> None:
    command = _compose_command()
    if command is None:
        pytest.skip("no Compose v2 binary here; the schema test below stands in for it")
    for profile in ([], ["--profile", "ui-proxy"]):
        result = _run_config(command, FAKE_ENV, tmp_path, *profile)
        assert result.returncode == 0, result.stderr
    for missing in sorted(REQUIRED_SECRETS):
        env = {k: v for k, v in FAKE_ENV.items() if k != missing}
        result = _run_config(command, env, tmp_path)
        assert result.returncode != 0, f"compose starts without {missing}"
        assert missing in result.stderr


def test_compose_file_matches_the_compose_specification() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(_compose()), key=lambda e: list(e.absolute_path))
    messages = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]
    assert not messages, "\n".join(messages)


def test_the_schema_check_catches_a_broken_file() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    broken = _compose()
    broken["services"]["temporal"]["depends_on"] = {"temporal-schema": {"condition": "done"}}
    broken["services"]["temporal"]["restart"] = ["always"]
    assert len(list(jsonschema.Draft7Validator(schema).iter_errors(broken))) >= 2


# --- the fence around Temporal --------------------------------------------------------------


def test_only_the_api_and_the_ui_proxy_listen_beyond_loopback() -> None:
    for name, service in _services().items():
        assert service.get("network_mode") != "host", f"{name} shares the host's network"
        if name in PUBLIC_SERVICES:
            continue
        for port in service.get("ports") or []:
            assert _host_ip(port) in LOOPBACK, f"{name} publishes {port!r} beyond loopback"


@pytest.mark.parametrize("name", ["postgresql", "temporal", "temporal-ui"])
def test_temporal_and_its_database_are_loopback_or_unpublished(name: str) -> None:
    ports = _service(name).get("ports") or []
    assert all(_host_ip(port) == "127.0.0.1" for port in ports), ports


@pytest.mark.parametrize(
    "port, host_ip",
    [
        ("7233:7233", None),
        ("7233", None),
        ("127.0.0.1:7233:7233", "127.0.0.1"),
        ("0.0.0.0:7233:7233", "0.0.0.0"),
        ("[::1]:7233:7233", "::1"),
        ({"target": 7233, "published": 7233}, None),
        ({"target": 7233, "published": 7233, "host_ip": "127.0.0.1"}, "127.0.0.1"),
    ],
)
def test_host_ip_reads_both_port_syntaxes(port: Any, host_ip: str | None) -> None:
    assert _host_ip(port) == host_ip


def test_the_ui_is_read_only_and_opened_only_through_the_authenticating_proxy() -> None:
    ui_env = _environment(_service("temporal-ui"))
    assert ui_env.get("TEMPORAL_DISABLE_WRITE_ACTIONS") == "true"
    proxy = _service("ui-proxy")
    assert proxy.get("profiles") == ["ui-proxy"]
    mounts = [str(volume) for volume in proxy.get("volumes") or []]
    caddyfile = ROOT / "deploy" / "ui-proxy.Caddyfile"
    assert any(m.startswith("./deploy/ui-proxy.Caddyfile:") for m in mounts), mounts
    text = caddyfile.read_text(encoding="utf-8")
    assert "basic_auth" in text and "reverse_proxy temporal-ui:8080" in text
    assert "{$UI_PROXY_PASSWORD_HASH}" in text
    assert _environment(proxy)["UI_PROXY_PASSWORD_HASH"] is None


# --- secrets --------------------------------------------------------------------------------


def test_no_secret_variable_has_a_default() -> None:
    for match in INTERPOLATION.finditer(COMPOSE_FILE.read_text(encoding="utf-8")):
        if SECRET_NAME.search(match["name"]):
            assert match["op"] in (":?", "?"), f"${{{match['name']}{match['op'] or ''}…}}"


def test_no_secret_is_written_into_a_service() -> None:
    for name, service in _services().items():
        for key, value in _environment(service).items():
            if not SECRET_NAME.search(key) or value is None:
                continue  # no value: passed through from the environment when set there
            refs = list(INTERPOLATION.finditer(value))
            assert refs, f"{name}.{key} holds a literal secret"
            assert all(ref["op"] in (":?", "?") for ref in refs), f"{name}.{key}: {value}"


@pytest.mark.parametrize("name", ["api", "worker", "migrate"])
def test_the_app_gets_the_signing_secret_without_a_default(name: str) -> None:
    env = _environment(_service(name))
    assert env.get("ENVIRONMENT") == "production"
    assert str(env.get("AUTH_SECRET", "")).startswith("${AUTH_SECRET:?")
    assert "${POSTGRES_PASSWORD:?" in str(env.get("DATABASE_URL", ""))


def test_env_example_lists_the_required_secrets_empty() -> None:
    example: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#"):
            example[key.strip()] = value.strip()
    for secret in sorted(REQUIRED_SECRETS):
        assert secret in example, f".env.example does not mention {secret}"
        assert example[secret] == "", f".env.example gives {secret} a value"


# --- Temporal: the server, its schema job, its namespace job --------------------------------


def test_temporal_runs_on_the_server_image_at_a_pinned_version() -> None:
    repository, tag = _image(_service("temporal"))
    assert repository == "temporalio/server"
    assert re.fullmatch(r"\d+\.\d+\.\d+", tag), tag
    for name, service in _services().items():
        assert "auto-setup" not in str(service.get("image", "")), f"{name}: development image"


def test_the_schema_job_runs_before_the_server_on_the_same_version() -> None:
    _, server_tag = _image(_service("temporal"))
    job = _service("temporal-schema")
    repository, tag = _image(job)
    assert repository == "temporalio/admin-tools"
    assert tag == server_tag or tag.startswith(server_tag + "-"), (tag, server_tag)
    assert job.get("restart") == "no"
    assert "/deploy/temporal-schema.sh" in json.dumps(job.get("entrypoint"))
    assert _depends_on(job).get("postgresql") == "service_healthy"
    temporal_deps = _depends_on(_service("temporal"))
    assert temporal_deps.get("temporal-schema") == "service_completed_successfully"

    env = _environment(job)
    server_env = _environment(_service("temporal"))
    assert env["SQL_PLUGIN"] == server_env["DB"] == "postgres12"
    assert env["DBNAME"] == server_env["DBNAME"]
    assert env["VISIBILITY_DBNAME"] == server_env["VISIBILITY_DBNAME"]
    script = (ROOT / "deploy" / "temporal-schema.sh").read_text(encoding="utf-8")
    for needle in (
        "create-database",
        "setup-schema -v 0.0",
        "update-schema -d",
        "/etc/temporal/schema/postgresql/v12/temporal/versioned",
        "/etc/temporal/schema/postgresql/v12/visibility/versioned",
    ):
        assert needle in script


def test_the_app_starts_after_migrations_and_the_namespace() -> None:
    job = _service("temporal-namespace")
    assert _image(job)[0] == "temporalio/admin-tools"
    assert _depends_on(job).get("temporal") == "service_healthy"
    namespace = _environment(job)["TEMPORAL_NAMESPACE"]
    for name in ("api", "worker"):
        deps = _depends_on(_service(name))
        assert deps.get("migrate") == "service_completed_successfully"
        assert deps.get("temporal-namespace") == "service_completed_successfully"
        assert _environment(_service(name))["TEMPORAL_NAMESPACE"] == namespace
