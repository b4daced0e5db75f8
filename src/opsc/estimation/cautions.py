"""Warnings attached to an estimate: what a reader must know before quoting it (es/en)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opsc.estimation.bootstrap import BootstrapInterval
from opsc.estimation.loglinear import ModelFit, term_name

SMALL_LIST = 10  # a list this small carries almost no overlap information
LARGE_RATIO = 10.0  # hidden more than ten times observed: the model is extrapolating far

TEXT: dict[str, tuple[str, str]] = {
    "empty-overlap": (
        "lists {pair} never overlap: the term is fixed at −∞ and the cells holding both lists "
        "are removed (Chan, Silverman & Vincent 2021)",
        "las listas {pair} nunca se superponen: el término se fija en −∞ y se eliminan las "
        "celdas con ambas listas (Chan, Silverman y Vincent 2021)",
    ),
    "small-list": (
        "list {name} has only {size} people: its overlaps say little; consider merging it "
        "with a similar list",
        "la lista {name} tiene solo {size} personas: sus superposiciones informan poco; "
        "considere combinarla con una lista similar",
    ),
    "large-ratio": (
        "the estimated hidden count is {ratio:.1f} times the observed count: the model "
        "extrapolates far beyond the data; report the interval, not the point",
        "la cifra oculta estimada es {ratio:.1f} veces la observada: el modelo extrapola "
        "mucho más allá de los datos; informe el intervalo, no el punto",
    ),
    "not-converged": (
        "the model fit did not converge: the estimate is unreliable",
        "el ajuste del modelo no convergió: la estimación no es fiable",
    ),
    "bootstrap-failures": (
        "{failed} of {replicates} bootstrap replicates had no estimate and were left out",
        "{failed} de {replicates} réplicas bootstrap no tuvieron estimación y se omitieron",
    ),
    "assumptions": (
        "the estimate assumes a closed population and that the chosen interactions capture "
        "the dependence and heterogeneity between lists; it counts people, not cases",
        "la estimación supone una población cerrada y que las interacciones elegidas recogen "
        "la dependencia y la heterogeneidad entre listas; cuenta personas, no casos",
    ),
}


@dataclass(frozen=True)
class Caution:
    slug: str
    facts: dict[str, Any]

    def message(self, lang: str = "en") -> str:
        english, spanish = TEXT[self.slug]
        return (spanish if lang == "es" else english).format(**self.facts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.slug,
            **self.facts,
            "message_en": self.message("en"),
            "message_es": self.message("es"),
        }


def fit_cautions(fit: ModelFit, boot: BootstrapInterval | None = None) -> list[Caution]:
    """Everything about this fit a reader should be told, in a stable order."""
    table = fit.table
    out = [Caution("empty-overlap", {"pair": term_name(table.lists, m)}) for m in fit.neg_inf]
    out += [
        Caution("small-list", {"name": name, "size": size})
        for name, size in table.list_sizes().items()
        if size < SMALL_LIST
    ]
    ratio = fit.hidden / max(table.observed, 1)
    if ratio > LARGE_RATIO:
        out.append(Caution("large-ratio", {"ratio": round(ratio, 1)}))
    if not fit.converged:
        out.append(Caution("not-converged", {}))
    if boot is not None and boot.failed:
        out.append(
            Caution("bootstrap-failures", {"failed": boot.failed, "replicates": boot.replicates})
        )
    out.append(Caution("assumptions", {}))
    return out
