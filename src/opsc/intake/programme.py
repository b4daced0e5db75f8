"""The submission contracts for programme data: plans and their evaluations, training,
budgets, campaigns and the legislation matrix (the Committee's questions on measures, not
on cases), field by field, in Spanish and English."""

from __future__ import annotations

from opsc.intake.contracts import Contract, ForeignKey
from opsc.intake.fields import (
    OFFENCE,
    Field,
    amount,
    code,
    count,
    day,
    flag,
)

PLANS = Contract(
    "plans",
    "plan",
    "Plans of action",
    "Planes de acción",
    (
        Field("title", "string", "Title", "Título", required=True, max_length=400),
        Field(
            "jurisdiction", "string", "Jurisdiction", "Jurisdicción", required=True, max_length=12
        ),
        Field("start_year", "integer", "Start year", "Año de inicio", minimum=1990, maximum=2100),
        Field("end_year", "integer", "End year", "Año de término", minimum=1990, maximum=2100),
        code(
            "offences_covered", "offences", "Offences covered", "Delitos cubiertos", multiple=True
        ),
        flag("children_consulted", "Children consulted", "Se consultó a niñas y niños"),
        flag("budget_allocated", "Budget allocated", "Con presupuesto asignado"),
    ),
    primary_key=("title", "jurisdiction"),
    kind="programme",
)

PLAN_EVALUATIONS = Contract(
    "plan_evaluations",
    "plan_evaluation",
    "Evaluations of plans",
    "Evaluaciones de planes",
    (
        Field(
            "plan_title", "string", "Plan title", "Título del plan", required=True, max_length=400
        ),
        day("evaluated_on", "Date of the evaluation", "Fecha de la evaluación", required=True),
        flag("participatory", "Participatory", "Participativa"),
        flag("independent", "Independent", "Independiente"),
        Field("summary", "string", "Summary", "Resumen", max_length=4000),
    ),
    primary_key=("plan_title", "evaluated_on"),
    foreign_keys=(ForeignKey("plan_title", "plans", "plan", "title", "plan_id"),),
    kind="programme",
)

TRAININGS = Contract(
    "trainings",
    "training",
    "Trainings",
    "Capacitaciones",
    (
        day("date_start", "Start date", "Fecha de inicio", required=True),
        Field(
            "professional_group",
            "string",
            "Professional group",
            "Grupo profesional",
            required=True,
            max_length=40,
        ),
        count("participants_female", "Participants (women)", "Participantes (mujeres)"),
        count("participants_male", "Participants (men)", "Participantes (hombres)"),
        count("participants_other", "Participants (other)", "Participantes (otro)"),
        amount("hours", "Hours", "Horas"),
        Field("opsc_areas", "string", "OPSC areas covered", "Áreas del OPSC cubiertas"),
        Field("pre_score", "number", "Pre-test score", "Puntaje previo", minimum=0, maximum=100),
        Field(
            "post_score", "number", "Post-test score", "Puntaje posterior", minimum=0, maximum=100
        ),
    ),
    kind="programme",
)

BUDGET = Contract(
    "budget_lines",
    "budget_line",
    "Budget lines",
    "Partidas presupuestarias",
    (
        code("level", "institution_levels", "Level", "Nivel", required=True),
        Field("year", "integer", "Year", "Año", required=True, minimum=1990, maximum=2100),
        Field("purpose", "string", "Purpose", "Finalidad", required=True, max_length=40),
        Field(
            "currency",
            "string",
            "Currency (ISO 4217)",
            "Moneda (ISO 4217)",
            required=True,
            pattern="[A-Z]{3}",
            pattern_en="three capital letters, e.g. MXN",
            pattern_es="tres letras mayúsculas, p. ej. MXN",
        ),
        amount("allocated", "Allocated", "Asignado", required=True),
        amount("executed", "Executed", "Ejercido"),
    ),
    primary_key=("level", "year", "purpose"),
    kind="programme",
)

CAMPAIGNS = Contract(
    "campaigns",
    "campaign",
    "Awareness campaigns",
    "Campañas de sensibilización",
    (
        Field("title", "string", "Title", "Título", required=True, max_length=400),
        day("date_start", "Start date", "Fecha de inicio", required=True),
        Field("date_end", "date", "End date", "Fecha de término"),
        Field("audience", "string", "Audience", "Público", max_length=40),
        code("languages", "languages", "Languages", "Lenguas", multiple=True),
        count("reach", "People reached", "Personas alcanzadas"),
        flag("co_designed_with_children", "Co-designed with children", "Co-diseñada con niñez"),
    ),
    primary_key=("title", "date_start"),
    kind="programme",
)

LEGISLATION = Contract(
    "legislation",
    "legislation_provision",
    "Legislation matrix",
    "Matriz legislativa",
    (
        Field(
            "jurisdiction", "string", "Jurisdiction", "Jurisdicción", required=True, max_length=12
        ),
        OFFENCE.but(required=True),
        Field("valid_from", "date", "In force since", "Vigente desde", required=True),
        flag("criminalised", "Criminalised", "Tipificado", required=True),
        Field("legal_provision", "string", "Legal provision", "Disposición legal", max_length=300),
        count(
            "statute_of_limitations_years",
            "Statute of limitations (years)",
            "Prescripción (años)",
            maximum=200,
        ),
        flag(
            "legal_person_liability",
            "Legal-person liability",
            "Responsabilidad de personas morales",
        ),
        flag(
            "extraterritorial_jurisdiction",
            "Extraterritorial jurisdiction",
            "Jurisdicción extraterritorial",
        ),
        flag(
            "double_criminality_required",
            "Double criminality required",
            "Exige doble incriminación",
        ),
        flag(
            "extradition_reciprocity_only",
            "Extradition on reciprocity only",
            "Extradición solo por reciprocidad",
        ),
    ),
    primary_key=("jurisdiction", "offence", "valid_from"),
    kind="programme",
)
