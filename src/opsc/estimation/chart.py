"""Vega-Lite spec for an interrupted time series: data, fitted segments, counterfactual."""

from __future__ import annotations

from typing import Any

from opsc.estimation.its import ITSResult

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
LABELS = {
    "en": {
        "observed": "observed",
        "fitted": "fitted",
        "counterfactual": "without the measure",
        "event": "measure",
        "period": "period",
    },
    "es": {
        "observed": "observado",
        "fitted": "ajustado",
        "counterfactual": "sin la medida",
        "event": "medida",
        "period": "periodo",
    },
}


def its_chart(result: ITSResult, lang: str = "en") -> dict[str, Any]:
    """A layered Vega-Lite spec; renders offline with vl-convert or in pages with vega-embed."""
    words = LABELS["es" if lang == "es" else "en"]
    s = result.series
    rows: list[dict[str, Any]] = []
    for i, start in enumerate(s.starts):
        day = start.isoformat()
        rows.append({"date": day, "series": words["observed"], "value": float(s.values[i])})
        segment = "before" if i < result.first_post else "after"
        rows.append(
            {
                "date": day,
                "series": words["fitted"],
                "segment": segment,
                "value": round(float(result.fitted[i]), 6),
            }
        )
        if i >= result.first_post - 1:
            rows.append(
                {
                    "date": day,
                    "series": words["counterfactual"],
                    "value": round(float(result.counterfactual[i]), 6),
                }
            )
    x = {"field": "date", "type": "temporal", "title": words["period"]}
    y = {"field": "value", "type": "quantitative", "title": s.indicator}
    color = {"field": "series", "type": "nominal", "title": None}
    return {
        "$schema": SCHEMA,
        "description": f"{s.indicator}: {words['event']} {result.event.isoformat()}",
        "width": 600,
        "height": 300,
        "data": {"values": rows},
        "layer": [
            {
                "transform": [{"filter": f"datum.series == '{words['observed']}'"}],
                "mark": {"type": "point", "filled": True},
                "encoding": {"x": x, "y": y, "color": color},
            },
            {
                "transform": [{"filter": f"datum.series == '{words['fitted']}'"}],
                "mark": "line",
                "encoding": {"x": x, "y": y, "color": color, "detail": {"field": "segment"}},
            },
            {
                "transform": [{"filter": f"datum.series == '{words['counterfactual']}'"}],
                "mark": {"type": "line", "strokeDash": [6, 4]},
                "encoding": {"x": x, "y": y, "color": color},
            },
            {
                "data": {"values": [{"date": result.event.isoformat(), "label": words["event"]}]},
                "mark": {"type": "rule", "strokeDash": [2, 2]},
                "encoding": {"x": {"field": "date", "type": "temporal"}},
            },
        ],
    }
