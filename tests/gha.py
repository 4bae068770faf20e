"""Enough of GitHub Actions to run a workflow's `run:` steps locally, for the CI template tests.

Each job runs in a fresh copy of the repository (as on a fresh runner); `actions/upload-artifact`
and `download-artifact` carry files between jobs; `${{ }}` expressions and `if:` conditions are
evaluated over `github`, `secrets`, `env` and `steps`. Other `uses:` steps are not run: the
caller gets them (to check what they would read). An expression this module does not understand
fails the test, so the templates stay within what is checked here.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
PATH = re.compile(r"(?<!['\w.])([A-Za-z_][\w-]*(?:\.[\w-]+)+)")


@dataclass
class StepResult:
    name: str
    ran: bool
    code: int = 0
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class JobResult:
    name: str
    ok: bool
    steps: list[StepResult]
    workspace: Path

    def step(self, name: str) -> StepResult:
        return next(s for s in self.steps if s.name == name)


def load_workflow(path: Path) -> dict[str, Any]:
    data = YAML(typ="safe").load(path.read_text())
    assert isinstance(data, dict) and "jobs" in data and "on" in data, f"{path}: not a workflow"
    return data


def evaluate(expr: str, context: Mapping[str, Any]) -> Any:
    """A GitHub expression: dotted paths, 'strings', ==, !=, ||, &&, !, success()/always()/failure()."""

    def lookup(match: re.Match[str]) -> str:
        value: Any = context
        for part in match.group(1).split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        return repr(value)

    assert re.fullmatch(r"[\s\w'()=!.|&-]*", expr), f"unsupported expression: {expr!r}"
    python = PATH.sub(lookup, expr)
    python = python.replace("||", " or ").replace("&&", " and ")
    python = re.sub(r"!(?!=)", " not ", python)
    allowed = {
        "success": lambda: context["_ok"],
        "failure": lambda: not context["_ok"],
        "always": lambda: True,
    }
    return eval(python, {"__builtins__": {}}, allowed)  # only the templates in this repository


def substitute(text: str, context: Mapping[str, Any]) -> str:
    def one(match: re.Match[str]) -> str:
        value = evaluate(match.group(1), context)
        return "" if value is None else str(value)

    return EXPR.sub(one, text)


@dataclass
class Runner:
    """Runs jobs of workflows against a repository directory."""

    repo: Path
    work: Path
    github: dict[str, Any]
    secrets: dict[str, str]
    path_prefix: str
    on_uses: Callable[[dict[str, Any], Path, dict[str, str]], None] = lambda step, ws, env: None
    skip_ids: set[str] = field(default_factory=set)  # steps (by id) the caller stands in for
    artifacts: dict[str, list[Path]] = field(default_factory=dict)

    def run_workflow(self, path: Path, jobs: list[str] | None = None) -> dict[str, JobResult]:
        """Run the workflow's jobs (or only `jobs`, whose `needs` count as met) in order."""
        workflow = load_workflow(path)
        done: dict[str, JobResult] = {}
        for name in self._order(workflow["jobs"]):
            if jobs is not None and name not in jobs:
                continue
            job = workflow["jobs"][name]
            base = {"github": self.github, "secrets": self.secrets, "_ok": True}
            if "if" in job and not evaluate(str(job["if"]), base):
                continue
            needs = job.get("needs", [])
            needs = [needs] if isinstance(needs, str) else needs
            if not all(done[n].ok for n in needs if n in done):
                continue
            done[name] = self.run_job(name, job, workflow.get("env", {}))
        return done

    def _order(self, jobs: dict[str, Any]) -> list[str]:
        out: list[str] = []
        while len(out) < len(jobs):
            for name, job in jobs.items():
                needs = job.get("needs", [])
                needs = [needs] if isinstance(needs, str) else needs
                if name not in out and all(n in out for n in needs):
                    out.append(name)
        return out

    def run_job(self, name: str, job: dict[str, Any], workflow_env: dict[str, Any]) -> JobResult:
        workspace = self.work / f"job-{name}-{len(list(self.work.iterdir()))}"
        shutil.copytree(self.repo, workspace, ignore=shutil.ignore_patterns(".storeconf"))
        results: list[StepResult] = []
        steps_ctx: dict[str, Any] = {}
        ok = True
        for step in job["steps"]:
            context = {"github": self.github, "secrets": self.secrets, "steps": steps_ctx, "_ok": ok}
            env = {k: substitute(str(v), context) for k, v in {**workflow_env, **job.get("env", {})}.items()}
            env |= {k: substitute(str(v), context) for k, v in step.get("env", {}).items()}
            context["env"] = env
            label = str(step.get("name") or step.get("uses") or step.get("run", "")[:40])
            condition = str(step.get("if", "success()"))
            if step.get("id") in self.skip_ids or not evaluate(
                condition.removeprefix("${{").removesuffix("}}"), context
            ):
                results.append(StepResult(label, ran=False))
                continue
            if "uses" in step:
                self._uses(step, workspace, env)
                results.append(StepResult(label, ran=True))
                continue
            result = self._run(label, substitute(step["run"], context), workspace, env)
            results.append(result)
            if "id" in step:
                steps_ctx[step["id"]] = {
                    "outputs": result.outputs,
                    "outcome": "success" if not result.code else "failure",
                }
            if result.code and not step.get("continue-on-error"):
                ok = False
        return JobResult(name, ok, results, workspace)

    def _uses(self, step: dict[str, Any], workspace: Path, env: dict[str, str]) -> None:
        action = str(step["uses"]).split("@")[0]
        options = step.get("with", {})
        if action == "actions/upload-artifact":
            # Like the action's default (if-no-files-found: warn): an empty artifact, the job goes on.
            self.artifacts[options["name"]] = [Path(p) for p in glob.glob(str(workspace / options["path"]))]
        elif action == "actions/download-artifact":
            target = workspace / options.get("path", ".")
            for file in self.artifacts[options["name"]]:
                shutil.copy(file, target / file.name)
        else:
            self.on_uses(step, workspace, env)

    def _run(self, label: str, script: str, workspace: Path, env: dict[str, str]) -> StepResult:
        output, summary = workspace / ".gh-output", workspace / ".gh-summary"
        output.write_text("")
        full_env = {
            **os.environ,
            **env,
            "PATH": f"{self.path_prefix}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": str(self.github.get("repository", "")),
            "GITHUB_SHA": str(self.github.get("sha", "")),
            "CI": "true",
            "NO_COLOR": "1",
        }
        # GitHub's default shell for `run:` on Linux runners.
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=workspace,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
        return StepResult(label, True, proc.returncode, proc.stdout, proc.stderr, outputs)
