"""Tables and checks of ``benchmarks/defaults.py``: the markdown it prints and writes.

Kept apart from the runner so each file stays short; plain numpy, no forecastkit models.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

LSTM_FAMILY = ("vanilla", "stacked", "bidirectional", "cnn_lstm", "encoder_decoder")
NEURAL = ("linear", "mlp") + LSTM_FAMILY
PUBLISHED_SHOWN = ("Theta", "Smyl ES-RNN (overall winner)", "Montero-Manso FFORMA (2nd)",
                   "best on Weekly (Forecast Pro)")


def cell_of(result: dict | None, fmt: str = "{:.3f}", value=None) -> str:
    """A table cell: the value, or why there is none.

    >>> cell_of({"status": "timeout", "cap": 90.0}), cell_of({"status": "ok", "seconds": 1.25}, "{:.1f} s")
    ('did not finish in 90 s', '1.2 s')
    """
    if result is None:
        return "–"
    status = result.get("status")
    if status == "timeout":
        return f"did not finish in {result['cap']:.0f} s"
    if status == "budget":
        return "not run (budget)"
    if status == "budget-cut":
        return f"stopped at the budget ({result['cap']:.0f} s)"
    if status == "error":
        return "too short" if "too short" in str(result.get("error")) else "error"
    value = result.get("seconds") if value is None else value
    return "–" if value is None or value != value else fmt.format(value)


def m4_subset(series: dict, n_series: int | None) -> dict:
    """About ``n_series`` of the M4 series, every k-th (what ``m4_weekly.py --quick`` takes); all for None."""
    if not n_series:
        return series
    step = max(1, len(series) // n_series)
    return {i: series[i] for i in list(series)[::step][:n_series]}


def _index(report: dict) -> dict:
    """(part, arm, model) -> (job result, that model's entry or None); baselines under arm "baseline"."""
    out = {}
    for job in report.get("jobs", []):
        result = job.get("result") or {"status": "budget"}
        for model in job["models"]:
            out[(job["part"], job["arm"], model)] = (result, (result.get("models") or {}).get(model))
    return out


def _value(entry, key: str) -> float:
    if entry is None or entry[0].get("status") != "ok" or entry[1] is None:
        return float("nan")
    return float(entry[1].get(key, float("nan")))


def _wf_cell(entry) -> str:
    if entry is None:
        return "–"
    result, model = entry
    if result.get("status") != "ok":
        return cell_of(result)
    if model is None or model["mase"] != model["mase"]:
        return "failed"
    return f"{model['mase']:.3f}" + (f" ({model['failed_fits']} fits failed)" if model["failed_fits"] else "")


def _header(report: dict, args) -> list[str]:
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                                cwd=Path(__file__).parent).stdout.strip() or "?"
    except OSError:
        commit = "?"
    flags = " ".join(a for a in sys.argv[1:] if a != "--worker")
    detected = report["detected"]
    return [
        "# Defaults benchmark: today's defaults (before) against the shipped defaults (after)", "",
        f"`python benchmarks/defaults.py{' ' + flags if flags else ''}` on {time.strftime('%Y-%m-%d %H:%M')}, "
        f"forecastkit {commit}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the end, "
        f"{report['elapsed'] / 60:.1f} min wall." + (" **Smoke run (--quick): fewer origins, series and models; "
                                                      "the numbers are not comparable.**" if args.quick else ""), "",
        "*before*: today's defaults pinned in the script (" + ", ".join(
            detected["forecaster"] + detected["training"]) + "; lookback 2 x max(season, horizon, 5) capped at half "
        "the shortest training series less the horizon); not in this forecastkit, so not passed: "
        + (", ".join(detected["not in this forecastkit (skipped)"]) or "none") + _refused(report)
        + (f"; new settings not pinned (their shipped defaults apply to before too): {', '.join(detected['unpinned'])}"
           if detected.get("unpinned") else "")
        + ". *after*: no settings at all "
        "(the data flags and the horizon only). Baselines have no such settings: one run.", "",
    ]


def _refused(report: dict) -> str:
    refused = sorted({k for j in report.get("jobs", []) for k in (j.get("result") or {}).get("skipped", ())
                      if "refused" in k})
    return f"; refused by this build's check_params, so left out: {', '.join(refused)}" if refused else ""


def _hourly(report: dict) -> list[str]:
    runs = report["hourly"]
    n = runs["after"]["series"]
    lines = [f"## Synthetic hourly panel ({n} series x 960 hours): `forecast --model vanilla --horizon 48`", "",
             "Wall seconds of the whole process (imports, loading, training, writing), run alone.", "",
             "| arm | command | wall |", "|---|---|---:|"]
    for arm in ("before", "after"):
        run = runs.get(arm)
        if run:
            shown = cell_of(run, "{:.1f} s") + (f" ({run['error'][-120:]!r})" if run.get("error") else "")
            lines.append(f"| {arm} | `{run['command']}` | {shown} |")
    return lines + [""]


def _datasets(report: dict, parts: list[str], index: dict) -> list[str]:
    names = [m for m in NEURAL if any((p, "after", m) in index for p in parts)]
    ensembles = [m for (_, arm, m) in index if arm == "after" and m not in NEURAL]
    baselines = list(dict.fromkeys(m for (_, arm, m) in index if arm == "baseline"))
    horizons = {j["part"]: (j.get("result") or {}).get("horizon") for j in report.get("jobs", [])
                if (j.get("result") or {}).get("horizon")}
    lines = ["## Shipped datasets: walk-forward MASE, before → after", "",
             f"`forecastkit evaluate` via the Python API: {report['jobs'][0]['folds']} origins, refit every:6, "
             "horizon = season length (" + ", ".join(f"{p} {h}" for p, h in horizons.items()) + "), seed 0.", "",
             "| model | " + " | ".join(parts) + " |", "|---|" + "---:|" * len(parts)]
    for model in names:
        cells = [f"{_wf_cell(index.get((p, 'before', model)))} → {_wf_cell(index.get((p, 'after', model)))}"
                 for p in parts]
        lines.append(f"| {model} | " + " | ".join(cells) + " |")
    for model in dict.fromkeys(ensembles):
        lines.append(f"| {model} (after) | " + " | ".join(_wf_cell(index.get((p, "after", model))) for p in parts)
                     + " |")
    for model in baselines:
        lines.append(f"| {model} | " + " | ".join(_wf_cell(index.get((p, "baseline", model))) for p in parts) + " |")
    return lines + [""]


def _m4(report: dict, args, m4, index: dict) -> list[str]:
    train = m4_subset(m4.read_m4(Path(args.m4) / "Weekly-train.csv"), report.get("m4_series"))
    test = m4.read_m4(Path(args.m4) / "Weekly-test.csv")
    actual = np.stack([test[sid] for sid in train])
    # M4's Naive2 on weekly data (season 1: no seasonal adjustment) is the last week repeated; the
    # naive2 row below is forecastkit's at the dated panel's season, 52
    naive2 = m4.score(actual, np.stack([np.repeat(y[-1], m4.HORIZON) for y in train.values()]), train)
    scores = {}
    for (part, arm, model), (result, entry) in index.items():
        if part == "m4" and entry is not None:
            scores.setdefault(arm, {})[model] = {**m4.with_owa(m4.score(actual, np.asarray(entry["forecast"]), train),
                                                               naive2), "seconds": entry["seconds"],
                                                 "resolved": entry.get("resolved")}
    report["m4_scores"] = scores
    lines = [f"## M4 Weekly ({len(train)} series, horizon 13): fit on Weekly-train, scored on Weekly-test", "",
             "The series get weekly dates (season 52, as a user's weekly data); sMAPE, MASE (season 1) and OWA "
             f"as in M4, against M4's Naive2 (season 1: sMAPE {naive2['sMAPE']:.3f}, MASE {naive2['MASE']:.3f}).",
             "",
             "| model | before sMAPE | before MASE | before OWA | before s | after sMAPE | after MASE | after OWA "
             "| after s |", "|---|" + "---:|" * 8]

    def cells(arm: str, model: str) -> str:
        if (("m4", arm, model)) not in index:
            return " | | | "
        got = scores.get(arm, {}).get(model)
        if got is None:
            return f" {cell_of(index[('m4', arm, model)][0])} | | | "
        return f" {got['sMAPE']:.3f} | {got['MASE']:.3f} | {got['OWA']:.3f} | {got['seconds']:.0f} "

    for model in dict.fromkeys(m for (p, arm, m) in index if p == "m4" and arm != "baseline"):
        lines.append(f"| {model} |{cells('before', model)}|{cells('after', model)}|")
    for model in dict.fromkeys(m for (p, arm, m) in index if p == "m4" and arm == "baseline"):
        lines.append(f"| {model} | | | | |{cells('baseline', model)}|")
    for name in PUBLISHED_SHOWN:
        published = next((v for k, v in m4.PUBLISHED.items() if k.startswith(name)), None)
        if published:
            lines.append(f"| *published:* {name} | | | | | {published[0]:.3f} | {published[1]:.3f} | "
                         f"{published[2]:.3f} | |")
    resolved = {m: s.get("resolved") for m, s in scores.get("after", {}).items() if s.get("resolved")}
    if resolved:
        lines += ["", "AFTER as resolved by the fitted forecasters (lookback, training settings, transforms):", ""]
        lines += [f"- {m}: " + ", ".join(f"{k} {v}" for k, v in r.items() if v is not None)
                  for m, r in resolved.items()]
    return lines + [""]


def _checks(report: dict, index: dict) -> list[str]:
    lines = []
    airline = {m: _value(index.get(("airline", "after", m)), "mase") for m in NEURAL}
    reference = {m: _value(index.get(("airline", "baseline", m)), "mase") for m in ("seasonal_naive", "naive2", "ets")}
    if any(v == v for v in airline.values()) and all(v == v for v in reference.values()):
        bar = min(reference["seasonal_naive"], reference["naive2"])
        wanted = ("mlp",) + LSTM_FAMILY
        losing = [m for m in wanted if airline[m] >= bar]
        missing = [m for m in wanted if airline[m] != airline[m]]
        lines.append(f"- airline: mlp and every LSTM-family builder beat seasonal_naive and naive2 (MASE < {bar:.3f}): "
                     + ("yes" if not losing + missing else "NO" if losing else "not known")
                     + (f"; worse: {', '.join(losing)}" if losing else "")
                     + (f"; no score: {', '.join(missing)}" if missing else ""))
        best = min((m for m in airline if airline[m] == airline[m]), key=airline.get)
        lines.append(f"- airline: best single neural model within 5% of ets ({reference['ets']:.3f}): {best} "
                     f"{airline[best]:.3f}: " + ("yes" if airline[best] <= 1.05 * reference["ets"] else "NO"))
    m4_after = report.get("m4_scores", {}).get("after", {})
    singles = {m: s["OWA"] for m, s in m4_after.items() if m in NEURAL}
    if singles:
        best = min(singles, key=singles.get)
        lines.append(f"- M4 Weekly: best single neural OWA <= 0.80: {best} {singles[best]:.3f}: "
                     + ("yes" if singles[best] <= 0.80 else "NO"))
    for model, score in m4_after.items():
        if model not in NEURAL:
            lines.append(f"- M4 Weekly: {model} OWA <= 0.75: {score['OWA']:.3f}: " + ("yes" if score["OWA"] <= 0.75
                                                                                          else "NO"))
    hourly = report.get("hourly", {}).get("after")
    if hourly:
        lines.append("- hourly: `forecast --model vanilla --horizon 48` under 5 minutes: " + cell_of(hourly, "{:.1f} s")
                     + (": yes" if hourly["status"] == "ok" and hourly["seconds"] < 300 else ": NO"))
    return (["## Checks (issue 14, done when)", "", *lines, ""] if lines else [])


def _errors(report: dict) -> list[str]:
    """Each distinct error once (model names folded), with the jobs it hit."""
    failed = [(j["id"], j["result"]["error"]) for j in report.get("jobs", [])
              if (j.get("result") or {}).get("status") == "error"]
    failed += [(f"{j['id']} (failed fits)", entry["first_failure"]) for j in report.get("jobs", [])
               for entry in ((j.get("result") or {}).get("models") or {}).values() if entry.get("first_failure")]
    failed += [(f"hourly/{arm}", r["error"]) for arm, r in report.get("hourly", {}).items() if r.get("error")]
    grouped: dict[str, list[str]] = {}
    for name, error in failed:
        grouped.setdefault(re.sub(r"[Mm]odel '[^']*'", "model", str(error)), []).append(name)
    return (["## Errors and failed fits", "", *[f"- {', '.join(names)}: {error}" for error, names in grouped.items()],
             ""] if grouped else [])


def render(report: dict, parts: list[str], args, m4) -> str:
    """The whole markdown report of one run (also stores the M4 scores in ``report``)."""
    from forecastkit.datasets import CATALOGUE

    index = _index(report)
    lines = _header(report, args)
    if "hourly" in report:
        lines += _hourly(report)
    dataset_parts = [p for p in parts if p in CATALOGUE]
    if dataset_parts and report.get("jobs"):
        lines += _datasets(report, dataset_parts, index)
    if "m4" in parts and report.get("jobs"):
        lines += _m4(report, args, m4, index)
    lines += _checks(report, index) + _errors(report)
    lines += ["## Time per part", "", "Seconds of the part's jobs (two run at a time; the hourly part alone, "
              "wall).", "", "| part | jobs | finished | seconds |", "|---|---:|---:|---:|"]
    for part, t in report["parts"].items():
        lines.append(f"| {part} | {t.get('jobs', 2)} | {t.get('finished', '')} | {t['seconds']:.0f} |")
    lines += ["", f"Total {report['elapsed']:.0f} s ({report['elapsed'] / 60:.1f} min)."]
    return "\n".join(lines) + "\n"
