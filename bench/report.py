"""Render benchmark sections as Markdown (for people) and JSON (for scripts)."""

from __future__ import annotations

from common import Row, Section, Stat


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "×":
        return f"{value:.4f}×"
    if unit == "B":
        return f"{value:,.0f} B"
    return f"{value:.1f} {unit}"


def _stat(stat: Stat | None, unit: str) -> str:
    if stat is None:
        return "—"
    if stat.n == 1:
        return _fmt(stat.median, unit)
    return f"{_fmt(stat.median, unit)} ({_fmt(stat.low, unit)}–{_fmt(stat.high, unit)})"


def _verdict(row: Row) -> str:
    if row.met is None:
        return row.target or ""
    return f"{row.target}: {'met' if row.met else '**MISSED**'}"


def _ratio(row: Row) -> str:
    if row.ratio is None:
        return ""
    r = row.ratio
    return f"{row.ratio_kind} **{r.median:.2f}×** ({r.low:.2f}–{r.high:.2f})"


def _table(rows: list[Row]) -> list[str]:
    lines = ["| measurement | baseline (A) | frore (B) | ratio, median (min–max) | target | note |",
             "|---|---|---|---|---|---|"]
    for row in rows:
        a = f"{row.a_label}: {_stat(row.a, row.unit)}" if row.a_label else ""
        b = f"{row.b_label}: {_stat(row.b, row.unit)}" if row.b is not None else f"{row.b_label}: —"
        lines.append(f"| {row.metric} | {a} | {b} | {_ratio(row)} | {_verdict(row)} | {row.note} |")
    return lines


def _facts(facts: dict) -> list[str]:
    out = []
    for key, value in facts.items():
        if isinstance(value, list):
            value = ", ".join(map(str, value)) if value else "none"
        elif isinstance(value, dict):
            value = "; ".join(f"{k}: {v:,}" if isinstance(v, int) else f"{k}: {v}"
                              for k, v in value.items()) or "none"
        elif isinstance(value, int):
            value = f"{value:,}"
        out.append(f"- {key.replace('_', ' ')}: {value}")
    return out


def to_markdown(info: dict, sections: list[Section]) -> str:
    lines = [
        "# frore benchmark results",
        "",
        f"- date: {info['date']}; wall time of the run: {info.get('wall_seconds')} s"
        + ("; **--quick subset, not the full stdlib**" if info.get("quick") else ""),
        f"- machine: {info['cpu']} × {info['cpus']} CPUs, {info['platform']}",
        f"- Python {info['python']} ({info['python_executable']}); {info['gcc']}; {info['make']}",
        f"- frore at commit {info.get('frore_commit')}"
        + (f" with {info['frore_uncommitted_files']} uncommitted file(s) in tools/frore"
           if info.get("frore_uncommitted_files") else ""),
        f"- load average (1 min) before / after: {info['load_before']:.2f} / "
        f"{info.get('load_after', 0):.2f}"
        + (" — the machine was shared and busy: compare ratios, not absolute times"
           if max(info["load_before"], info.get("load_after", 0)) > (info["cpus"] or 1) * 0.5
           else ""),
        "",
        "A is the baseline, B is frore's way; A and B alternate within the run and the ratio",
        "is taken per pair: A/B is a speed-up (> 1: frore faster or smaller), B/A a cost ratio",
        "(< 1: frore cheaper; its target reads ≤).  Times are medians with the min–max",
        "spread in brackets.",
        "",
    ]
    missed = [r for s in sections for r in s.rows if r.met is False]
    if missed:
        lines.append("**Targets missed:** " + "; ".join(f"{r.metric} ({r.target})" for r in missed))
        lines.append("")
    for section in sections:
        lines += [f"## {section.title}", "", *_table(section.rows), ""]
        if section.facts:
            lines += [*_facts(section.facts), ""]
        for note in section.notes:
            head, _, rest = note.strip().partition("\n")
            lines += [head, ""]
            if rest:
                lines += ["```", rest[:1500], "```", ""]
    return "\n".join(lines)


def to_json(info: dict, sections: list[Section]) -> dict:
    return {
        "machine": info,
        "sections": [{"title": s.title, "rows": [r.to_json() for r in s.rows],
                      "facts": s.facts, "notes": s.notes} for s in sections],
    }


def public(text: str, places: dict[str, str]) -> str:
    """*text* with this machine's folders replaced by their role (``<checkout>``,
    ``<work>``, ``~``), longest first: results are committed and read elsewhere."""
    for path in sorted(places, key=len, reverse=True):
        text = text.replace(path, places[path])
    return text
