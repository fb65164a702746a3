"""
`python -m bench.triage`: intake time with the triage stages on and off, at 200 enabled rules.

In one transaction on the configured database (the bench database in `make bench`): adds
enabled triage rules up to 200 (keyword, phrase and regex conditions over the text, some with
tier and channel) and trains the classifier if none is stored, then creates the labelled set's
realistic tickets through the intake service, alternating triage's stages with no stage at
all, and times the triage stages on their own. Everything is rolled back;
no task is enqueued, because on-commit work never runs. The language is left for triage to
detect (the costly case).
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any, Final

TRIAGE_ADDED_P95_MS: Final = 10
RULES: Final = 200
WARMUP: Final = 5


class _Rollback(Exception):
    pass


def _fill_rules(total: int) -> int:
    """Add enabled rules until `total` are enabled; return how many are enabled."""
    from triage.models import TriageRule

    have = TriageRule.objects.filter(enabled=True).count()
    words = ["invoice", "refund", "login", "password", "outage", "export", "api", "webhook",
             "sso", "billing", "charge", "crash", "slow", "timeout", "upgrade", "plan"]
    rules = []
    for n in range(max(0, total - have)):
        word = words[n % len(words)]
        kind = n % 4
        if kind == 0:
            condition = {"field": "triage.text", "op": "contains", "value": f"{word} x{n}"}
        elif kind == 1:
            condition = {"field": "triage.text", "op": "matches",
                         "value": rf"\b{word}\w* (?:issue|problem|number) {n}\b"}
        elif kind == 2:
            condition = {"all": [{"field": "triage.text", "op": "contains", "value": f"z{n}"},
                                 {"field": "organization.tier", "op": "equals",
                                  "value": "enterprise"}]}
        else:
            condition = {"any": [{"field": "triage.text", "op": "contains", "value": f"q{n}"},
                                 {"field": "ticket.channel", "op": "equals", "value": "phone"}]}
        rules.append(TriageRule(name=f"bench triage {n}", explanation="Bench rule.",
                                condition=condition, enabled=True, order=1000 + n,
                                category_id="general", weight=0.5))
    TriageRule.objects.bulk_create(rules)
    return TriageRule.objects.filter(enabled=True).count()


def _timed_pipeline(triage_ms: list[float], triage_cpu_ms: list[float]) -> Any:
    """
    The intake pipeline runner, timing the triage stages of each run on their own: wall time,
    and this process's CPU time, which a busy machine or database inflates far less.
    """
    from django.conf import settings

    from tickets.pipeline import _stage

    def run(ticket: Any, ctx: Any) -> None:
        wall = cpu = 0.0
        for path in settings.HELPDESK_INTAKE_PIPELINE:
            start, start_cpu = time.perf_counter(), time.process_time()
            _stage(path)(ticket, ctx)
            if path.startswith("triage."):
                wall += time.perf_counter() - start
                cpu += time.process_time() - start_cpu
        if any(path.startswith("triage.") for path in settings.HELPDESK_INTAKE_PIPELINE):
            triage_ms.append(wall * 1000)
            triage_cpu_ms.append(cpu * 1000)

    return run


def intake_timings(*, tickets: int) -> dict[str, Any]:
    from unittest import mock

    from django.db import transaction
    from django.test import override_settings

    from tickets.models import Organization
    from tickets.services import intake
    from triage.learning import labelled_examples, retrain_classifier
    from triage.rulebook import current_rulebook, publish_rulebook_version
    from triage.selectors import active_classifier
    from triage.stages import STAGES

    rows = labelled_examples()
    # Triage's stages against none: other apps' stages are timed by their own sections, and
    # left out here so that one app's unfinished work cannot skew or break triage's figure.
    full, without = list(STAGES), []
    on, off, triage_ms, triage_cpu_ms, results = [], [], [], [], {}
    try:
        with transaction.atomic():
            enabled = _fill_rules(RULES)
            if active_classifier() is None:  # as the daily retrain leaves it
                retrain_classifier()
            publish_rulebook_version()  # as once the admin's change has committed
            stamp = time.time_ns()
            orgs = {tier: Organization.objects.create(
                name=f"bench triage {tier}", tier=tier, external_id=f"bench-{stamp}-{tier}")
                for tier in ("self_serve", "smb", "enterprise", "internal")}
            first_start = time.perf_counter()
            current_rulebook()
            first_ms = (time.perf_counter() - first_start) * 1000
            runner = _timed_pipeline(triage_ms, triage_cpu_ms)
            with mock.patch.object(intake, "run_intake_pipeline", runner):
                for n in range(tickets * 2):
                    row = rows[(n // 2) % len(rows)]
                    request = intake.NewTicket(
                        subject=row["subject"], description=row["description"],
                        requester_email=f"bench-triage-{n % 50}@bench.example",
                        organization_external_id=orgs[row.get("tier", "smb")].external_id,
                        channel=row.get("channel", "api"), impact=list(row.get("impact", [])),
                    )
                    triage_on = n % 2 == 0
                    with override_settings(HELPDESK_INTAKE_PIPELINE=full if triage_on
                                           else without):
                        start = time.perf_counter()
                        intake.create_ticket(request=request)
                        (on if triage_on else off).append((time.perf_counter() - start) * 1000)
            results = {"rules": enabled, "first_rulebook_load_ms": round(first_ms, 2),
                       "on": on[WARMUP:], "off": off[WARMUP:], "triage": triage_ms[WARMUP:],
                       "triage_cpu": triage_cpu_ms[WARMUP:]}
            raise _Rollback
    except _Rollback:
        pass
    return results


def measure(*, quick: bool) -> dict[str, Any]:
    """The bench section (bench/sections.py): triage adds under 10 ms at p95, 200 rules."""
    from bench.report import check
    from bench.sections import timings_summary

    timings = intake_timings(tickets=80 if quick else 400)
    rules = timings["rules"]
    on = timings_summary(f"intake, triage on ({rules} rules)", timings["on"])
    off = timings_summary("intake, triage off", timings["off"])
    stages = timings_summary(f"triage stages alone ({rules} rules)", timings["triage"])
    cpu = timings_summary("triage stages, CPU time only", timings["triage_cpu"])
    added = round(on["p95_ms"] - off["p95_ms"], 2)
    return {
        "runs": [on, off, stages, cpu],
        "rules": rules,
        "first_rulebook_load_ms": timings["first_rulebook_load_ms"],
        "triage_added_p95_ms": added,
        "checks": [
            check("triage stages p95 (200 rules)", stages["p95_ms"], TRIAGE_ADDED_P95_MS, "ms"),
            check("intake p95 on minus off", added, TRIAGE_ADDED_P95_MS, "ms"),
        ],
    }


def _line(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return (f"  {name:28} p50 {statistics.median(ordered):6.2f} ms  p95 {p95:6.2f} ms  "
            f"max {ordered[-1]:6.2f} ms  (n={len(ordered)})")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.local")
    import django

    django.setup()
    timings = intake_timings(tickets=200)
    print(f"intake with and without triage, {timings['rules']} enabled rules:")
    print(_line("triage on", timings["on"]))
    print(_line("triage off", timings["off"]))
    print(_line("triage stages alone", timings["triage"]))
    print(_line("triage stages, CPU only", timings["triage_cpu"]))


if __name__ == "__main__":
    main()
