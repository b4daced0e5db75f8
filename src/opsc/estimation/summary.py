"""Plain-language summaries in Spanish and English, numbers in the country locale."""

from __future__ import annotations

from babel.numbers import format_decimal

from opsc.estimation.its import Effect, ITSResult
from opsc.estimation.mse import MSEResult

LOCALES = {"es": "es_MX", "en": "en_US"}


def _n(value: float, lang: str, digits: int = 0) -> str:
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(round(value, digits), format=pattern, locale=LOCALES[lang])


def mse_summary(result: MSEResult, lang: str = "en") -> str:
    """What the estimate says, what it counts, and what it assumes."""
    level = _n(100 * result.ci_level, lang)
    args = {
        "est": _n(result.estimate, lang),
        "low": _n(result.ci_low, lang),
        "high": _n(result.ci_high, lang),
        "obs": _n(result.observed, lang),
        "k": len(result.lists),
        "hidden": _n(result.hidden, lang),
        "level": level,
    }
    if lang == "es":
        return (
            "Se estima que hubo {est} víctimas (intervalo de {level} %: {low} a {high}); "
            "{obs} fueron registradas por al menos una de {k} instituciones y unas {hidden} "
            "no fueron registradas por ninguna. La estimación cuenta niñas, niños y "
            "adolescentes vinculados entre listas, no casos; supone una población cerrada "
            "durante el periodo y que el modelo recoge la dependencia entre listas. Es un "
            "orden de magnitud para el indicador ODS 16.2.2, no un conteo."
        ).format(**args)
    return (
        (
            "An estimated {est} victims (95% interval: {low} to {high}); {obs} were recorded "
            "by at least one of {k} institutions and about {hidden} by none. The estimate counts "
            "children linked across lists, not cases; it assumes a population closed over the "
            "period and a model that captures the dependence between lists. It gives an order "
            "of magnitude for SDG indicator 16.2.2, not a count."
        )
        .replace("95%", f"{level}%")
        .format(**args)
    )


def _effect(e: Effect, lang: str) -> str:
    return (
        f"{_n(e.estimate, lang, 1)} ({_n(e.low, lang, 1)} {'a' if lang == 'es' else 'to'} "
        f"{_n(e.high, lang, 1)})"
    )


def its_summary(result: ITSResult, lang: str = "en") -> str:
    """Level and slope change in words, with the design's limits stated."""
    name = result.series.indicator
    event = result.event.isoformat()
    level, slope = result.level_change, result.slope_change
    clear = level.low > 0 or level.high < 0 or slope.low > 0 or slope.high < 0
    pct = _n(100 * result.level, lang)
    if lang == "es":
        verdict = (
            "Los datos muestran un cambio"
            if clear
            else "Los intervalos incluyen el cero: los datos no muestran un cambio claro"
        )
        return (
            f"{verdict} en «{name}» tras la medida del {event}: el nivel cambió en "
            f"{_effect(level, 'es')} y la tendencia en {_effect(slope, 'es')} por periodo "
            f"(intervalos de {pct} %, errores robustos a la autocorrelación). Límites del "
            "diseño: una serie de registros mide la detección, no la incidencia; más casos "
            "registrados después de una ley pueden significar mejor detección y no más "
            "delitos. Otros hechos simultáneos, cambios en el registro y pocas observaciones "
            "pueden producir o esconder un cambio."
        )
    verdict = (
        "The data show a change"
        if clear
        else "The intervals include zero: the data show no clear change"
    )
    return (
        f"{verdict} in '{name}' after the measure of {event}: the level changed by "
        f"{_effect(level, 'en')} and the trend by {_effect(slope, 'en')} per period "
        f"({pct}% intervals, autocorrelation-robust errors). Limits of the design: a series "
        "of records measures detection, not incidence; more recorded cases after a law can "
        "mean better detection rather than more offences. Other events at the same time, "
        "changes in recording and few observations can create or hide a change."
    )
