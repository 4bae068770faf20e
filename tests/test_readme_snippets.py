"""Every YAML snippet of the README loads: documentation that cannot rot.

A snippet with `version:` is a whole project file (each of its environments is loaded, its
include globs matched by empty files); one with only project settings (`environments:`) is
a fragment of one, loaded over the README's resource snippets; any other is a resource
file, loaded on its own.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storeconf.config import load_project
from storeconf.config.project import PROJECT_KEYS
from storeconf.config.yaml import load_yaml
from tests.conftest import REPO

SNIPPET = re.compile(r"^```yaml\n(.*?)^```", re.MULTILINE | re.DOTALL)


def snippets() -> list[tuple[int, str]]:
    text = (REPO / "README.md").read_text()
    return [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in SNIPPET.finditer(text)]


def top_keys(text: str, tmp: Path) -> set[str]:
    path = tmp / "probe.yaml"
    path.write_text(text)
    doc, problems = load_yaml(path, "README.md")
    assert not problems, [str(p) for p in problems]
    assert doc is not None and isinstance(doc.data, dict)
    return set(doc.data)


def environ_for(text: str) -> dict[str, str]:
    return {name: f"readme-{name.lower()}" for name in re.findall(r"\$\{env:(\w+)\}", text)}


def resource_snippets() -> list[str]:
    return [
        text
        for _, text in snippets()
        if not re.search(r"^(version|environments|include|manage):", text, re.M)
    ]


def load_all_environments(root: Path, text: str) -> None:
    environ = environ_for(text + "".join(resource_snippets()))
    envs = (
        re.findall(r"^  ([\w-]+):\n", text.split("environments:", 1)[1], re.M)
        if "environments:" in text
        else []
    )
    for env in envs or ["local"]:
        load_project(root, env, environ=environ)


def test_the_readme_has_snippets() -> None:
    assert len(snippets()) >= 4


@pytest.mark.parametrize(("line", "text"), snippets(), ids=[f"README.md:{n}" for n, _ in snippets()])
def test_readme_snippet_loads(tmp_path: Path, line: int, text: str) -> None:
    keys = top_keys(text, tmp_path)
    root = tmp_path / "project"
    root.mkdir()
    if "version" in keys:
        (root / "storeconf.yaml").write_text(text)
        for pattern in re.findall(r"([\w./-]*\*[\w.*-]*)", text.split("include:", 1)[1].split("\n", 1)[0]):
            (root / pattern.replace("*", "readme-empty")).parent.mkdir(parents=True, exist_ok=True)
            (root / pattern.replace("*", "readme-empty")).write_text("{}\n")
        load_all_environments(root, text)
    elif keys & set(PROJECT_KEYS):
        # Overrides and exclusions name objects: those of the README's resource snippets.
        names = re.search(r"^    (overrides|exclude):", text, re.M)
        for i, resources in enumerate(resource_snippets() if names else []):
            (root / f"r{i}.yaml").write_text(resources)
        include = "include: [r*.yaml]\n" if names else ""
        (root / "storeconf.yaml").write_text(f"version: 1\n{include}{text}")
        load_all_environments(root, text)
    else:
        # Resource snippets may use `${var.NAME}`: the local environment defines each.
        found = sorted(set(re.findall(r"\$\{var\.(\w+)\}", text)))
        vars_ = "{" + ", ".join(f"{name}: https://{name}.example.com" for name in found) + "}"
        (root / "storeconf.yaml").write_text(
            f"version: 1\ninclude: [snippet.yaml]\nenvironments:\n  local:\n"
            f"    sandbox: .storeconf/local.db\n    vars: {vars_}\n"
        )
        (root / "snippet.yaml").write_text(text)
        load_project(root, "local", environ=environ_for(text))
