"""A self-contained HTML report of screens: plots, top candidates with evidence, provenance.

Plots (matplotlib, embedded as PNG): the score distribution of the candidates, the calibration
curve and the validation ROC and precision–recall curves of the model used. Each screen's top
candidates are listed with their evidence paths and the Cypher that returns each path.
"""

from __future__ import annotations

import base64
import html
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from sklearn.metrics import precision_recall_curve, roc_curve

from oncokg.gnn.calibration import Calibrator, reliability
from oncokg.gnn.screen import ScreenResult

CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.85rem;margin:.6rem 0}
td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.num{text-align:right}.known{color:#888}
details{font-size:.8rem}code{font-size:.78rem;white-space:pre-wrap}
.figs img{width:32%;min-width:280px}.meta td:first-child{font-weight:600}
"""


#: Candidate tables shown per screen (a library screen ranks compounds for every gene).
MAX_GROUPS = 50


def write_report(screens: list[ScreenResult], path: str | Path,
                 evidence: dict[int, pd.DataFrame] | None = None, top: int = 10,
                 validation: dict[str, tuple[np.ndarray, np.ndarray]] | None = None) -> Path:
    """Write the HTML report; ``evidence`` maps a screen's position to its evidence rows.

    ``validation`` maps a relation (``TARGETS``/``RESPONSE``) to the model's validation
    (scores, labels), for the ROC, PR and calibration plots.
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    parts = [f"<!doctype html><meta charset='utf-8'><title>OncoKG screen report</title>"
             f"<style>{CSS}</style><h1>OncoKG drug-repurposing screen</h1>"
             f"<p>Generated {datetime.now(UTC).isoformat(timespec='seconds')}.</p>"]
    shown_models: set[str] = set()
    for position, screen in enumerate(screens):
        model = screen.model
        parts.append(f"<h2>{html.escape(screen.title)}</h2>")
        if model["model_version"] not in shown_models:
            shown_models.add(model["model_version"])
            parts.append(_model_section(model, (validation or {}).get(screen.relation)))
        parts.append(_figures(screen, (validation or {}).get(screen.relation)))
        parts.append(_candidates(screen, (evidence or {}).get(position), top))
        if screen.skipped:
            items = "".join(f"<li>line {s.line}: <code>{html.escape(s.text)}</code> — "
                            f"{html.escape(s.reason)}</li>" for s in screen.skipped)
            parts.append(f"<p>Skipped input lines:</p><ul>{items}</ul>")
    out.write_text("\n".join(parts), encoding="utf-8")
    return out


def _model_section(model: dict, validation) -> str:
    rows = [("task", model["task"]), ("model", model["model"]),
            ("model version", model["model_version"]), ("split", model["split"]),
            ("seed(s)", ", ".join(map(str, model["seeds"]))), ("data release", model["release"])]
    if validation is not None:
        rows.append(("validation pairs", f"{len(validation[0]):,}"))
    meta = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>"
                   for k, v in rows)
    summary = model.get("summary") or {}
    metrics = ""
    if summary:
        names = sorted({m for values in summary.values() for m in values})
        head = "".join(f"<th>{html.escape(m)}</th>" for m in names)
        body = "".join(
            f"<tr><td>{html.escape(method)}</td>" + "".join(
                f"<td class=num>{_pm(values.get(m))}</td>" for m in names) + "</tr>"
            for method, values in summary.items())
        metrics = (f"<p>Test metrics (mean ± SD over seeds; selection on validation only), "
                   f"model beside baselines on the same split:</p>"
                   f"<table><tr><th>method</th>{head}</tr>{body}</table>")
    return f"<table class=meta>{meta}</table>{metrics}"


def _figures(screen: ScreenResult, validation) -> str:
    images = []
    if not screen.candidates.empty:
        fig = Figure(figsize=(4, 3))
        ax = fig.subplots()
        ax.hist(screen.candidates["score"], bins=30, color="#4a7ab5")
        ax.set(title="candidate scores", xlabel="score", ylabel="candidates")
        images.append(_png(fig))
    if validation is not None:
        scores, labels = validation
        calibrator = Calibrator.fit(scores, labels)
        fig = Figure(figsize=(4, 3))
        ax = fig.subplots()
        raw_x, raw_y, _ = reliability(_unit(scores), labels)
        cal_x, cal_y, _ = reliability(calibrator(scores), labels)
        ax.plot([0, 1], [0, 1], color="#aaa", lw=1)
        ax.plot(raw_x, raw_y, "o-", label="raw score (rescaled)")
        ax.plot(cal_x, cal_y, "s-", label="calibrated")
        ax.set(title="calibration (validation)", xlabel="predicted", ylabel="observed")
        ax.legend(fontsize=7)
        images.append(_png(fig))
        fpr, tpr, _ = roc_curve(labels, scores)
        precision, recall, _ = precision_recall_curve(labels, scores)
        fig = Figure(figsize=(6, 3))
        axes = fig.subplots(1, 2)
        axes[0].plot(fpr, tpr)
        axes[0].plot([0, 1], [0, 1], color="#aaa", lw=1)
        axes[0].set(title="ROC (validation)", xlabel="FPR", ylabel="TPR")
        axes[1].plot(recall, precision)
        axes[1].axhline(labels.mean(), color="#aaa", lw=1)
        axes[1].set(title="PR (validation)", xlabel="recall", ylabel="precision")
        images.append(_png(fig))
    caption = ("<p>Candidate score distribution"
               + ("; calibration curve and ROC / precision–recall of the model on its "
                  "validation split. Probabilities are isotonic-calibrated on validation "
                  "pairs only, so the calibrated curve is in-sample; the test split is never "
                  "used." if validation is not None else ".") + "</p>")
    return caption + "<div class=figs>" + "".join(
        f"<img src='data:image/png;base64,{b}'>" for b in images) + "</div>"


def _candidates(screen: ScreenResult, evidence: pd.DataFrame | None, top: int) -> str:
    frame = screen.candidates
    if frame.empty:
        return "<p>No candidates.</p>"
    group_cols = [c for c in ("query_kind", "query", "drug") if c in frame.columns][:2]
    if "query" not in frame.columns:
        group_cols = ["drug"]
    out = []
    hidden = {"cell_lines"}
    groups = frame.groupby(group_cols, sort=False)
    for position, (key, group) in enumerate(groups):
        if position == MAX_GROUPS:
            out.append(f"<p>… and {groups.ngroups - MAX_GROUPS:,} more in the screen's files."
                       f"</p>")
            break
        label = " ".join(map(str, key if isinstance(key, tuple) else (key,)))
        columns = [c for c in group.columns if c not in hidden and c not in group_cols]
        head = "".join(f"<th>{html.escape(c)}</th>" for c in columns) + "<th>evidence</th>"
        rows = []
        for _, row in group.head(top).iterrows():
            cells = "".join(_cell(row[c]) for c in columns)
            klass = " class=known" if row.get("known") else ""
            rows.append(f"<tr{klass}>{cells}<td>{_evidence(evidence, row)}</td></tr>")
        out.append(f"<h3>{html.escape(label)}</h3><table><tr>{head}</tr>{''.join(rows)}"
                   f"</table>")
    return "".join(out)


def _evidence(evidence: pd.DataFrame | None, row: pd.Series) -> str:
    if evidence is None or evidence.empty:
        return ""
    mask = evidence["drug"] == row["drug"]
    if "query" in row.index and "query" in evidence.columns:
        mask &= evidence["query"] == row["query"]
    if "gene" in row.index and "gene" in evidence.columns:
        mask &= evidence["gene"] == row["gene"]
    if "tumor_type" in row.index and "tumor_type" in evidence.columns:
        mask &= evidence["tumor_type"] == row["tumor_type"]
    items = []
    for _, path in evidence[mask].iterrows():
        items.append(
            f"<details><summary>{html.escape(path['kind'])}: {html.escape(path['path'])}"
            f"</summary><code>{html.escape(path['cypher'])}\n// params: "
            f"{html.escape(json.dumps(path['params']))}</code></details>")
    return "".join(items) or "<span class=known>no path found</span>"


def _cell(value) -> str:
    if isinstance(value, float | np.floating):
        return f"<td class=num>{value:.3f}</td>"
    return f"<td>{html.escape(str(value))}</td>"


def _pm(pair) -> str:
    if not pair or pair[0] is None:
        return "–"
    mean, sd = pair
    return f"{mean:.3f} ± {sd:.3f}" if sd is not None else f"{mean:.3f}"


def _unit(scores: np.ndarray) -> np.ndarray:
    low, high = float(np.min(scores)), float(np.max(scores))
    return (scores - low) / (high - low) if high > low else np.zeros_like(scores)


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=90)
    return base64.b64encode(buffer.getvalue()).decode()
