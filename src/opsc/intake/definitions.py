"""The submission contracts: one per record type, field by field, in Spanish and English.

Case data (cases, people, proceedings, services, reports, aggregates) are here; programme
data (plans, training, budgets, campaigns, legislation) are in `programme`.
"""

from __future__ import annotations

from dataclasses import replace

from opsc.intake.contracts import Contract, ForeignKey
from opsc.intake.fields import (
    AGENCY_CASE,
    GEO,
    NATIONALITY,
    OFFENCE,
    SEX,
    Field,
    agency_id,
    amount,
    bloom,
    code,
    count,
    day,
    flag,
    token,
)
from opsc.intake.programme import (
    BUDGET,
    CAMPAIGNS,
    LEGISLATION,
    PLAN_EVALUATIONS,
    PLANS,
    TRAININGS,
)

CASE_REF = ForeignKey("agency_case_id", "cases", "case_record", "agency_case_id", "case_id")

CASES = Contract(
    "cases",
    "case_record",
    "Cases",
    "Casos",
    (
        AGENCY_CASE.but(required=True),
        day("date_reported", "Date reported", "Fecha de denuncia", aliases=("fecha_denuncia",)),
        day("date_offence", "Date of the offence", "Fecha del delito", aliases=("fecha_hechos",)),
        GEO,
        code(
            "offences",
            "offences",
            "Offences (OPSC codes)",
            "Delitos (códigos OPSC)",
            required=True,
            multiple=True,
            description_en="One or more OPSC offence codes separated by spaces.",
            description_es="Uno o más códigos de delito OPSC separados por espacios.",
        ),
        flag("online", "Online", "En línea"),
        flag("tourism_context", "Travel and tourism context", "Contexto de viajes y turismo"),
        flag("transnational", "Transnational", "Transnacional"),
        code("stage", "justice_stages", "Stage in the institution", "Etapa en la institución"),
    ),
    primary_key=("agency_case_id",),
    children={"offences": ("case_offence", "case_id", "offence")},
)

# A person's names and birth date as `opsc pseudonymise` writes them (victims, perpetrators).
PERSON_IDENTITY: tuple[Field, ...] = (
    token("tk_birth_date", "Birth date token", "Token de la fecha de nacimiento"),
    token("tk_given_names", "Given names token", "Token de los nombres"),
    token("tk_surnames", "Surnames token", "Token de los apellidos"),
    token("tk_given_phonetic", "Given names phonetic token", "Token fonético de nombres"),
    token("tk_surname_phonetic", "Surnames phonetic token", "Token fonético de apellidos"),
    token("tk_first_given", "First given name token", "Token del primer nombre"),
    token("tk_paternal_surname", "Paternal surname token", "Token del apellido paterno"),
    token(
        "tk_first_given_phonetic",
        "First given name phonetic token",
        "Token fonético del primer nombre",
    ),
    token(
        "tk_paternal_phonetic",
        "Paternal surname phonetic token",
        "Token fonético del apellido paterno",
    ),
    bloom("bf_given_names", "Given names Bloom filter", "Filtro de Bloom de nombres"),
    bloom("bf_surnames", "Surnames Bloom filter", "Filtro de Bloom de apellidos"),
)
# The stored columns of any person: the fields above and the birth year.
PERSON_COLUMNS = (*(f.name for f in PERSON_IDENTITY), "birth_year")

VICTIMS = Contract(
    "victims",
    "victim",
    "Child victims",
    "Niñas, niños y adolescentes víctimas",
    (
        agency_id("agency_victim_id", "Victim ID", "ID de la víctima", required=True),
        AGENCY_CASE,
        Field("key_version", "string", "Linkage key version", "Versión de la llave", max_length=20),
        token("tk_national_id", "National ID token", "Token del documento de identidad"),
        *PERSON_IDENTITY,
        Field("birth_year", "integer", "Year of birth", "Año de nacimiento", minimum=1990),
        count(
            "age_at_offence",
            "Age at the time of the offence",
            "Edad al momento del delito",
            maximum=120,
            aliases=("edad",),
        ),
        SEX,
        NATIONALITY,
        code("ethnic_origin", "ethnic_origin", "Ethnic origin", "Origen étnico"),
        code("language", "languages", "Language", "Lengua"),
        flag("disability", "Disability", "Discapacidad"),
        code("migrant_status", "migrant_status", "Migrant status", "Condición migratoria"),
        flag("street_situation", "Street situation", "Situación de calle"),
        flag("in_school", "Attends school", "Asiste a la escuela"),
        code("socio_economic", "socio_economic", "Socio-economic status", "Nivel socioeconómico"),
        GEO.but(
            name="residence_geo",
            title_en="Place of residence",
            title_es="Lugar de residencia",
            aliases=("residencia",),
        ),
        code(
            "relation_to_perpetrator",
            "relation_to_perpetrator",
            "Relation to the perpetrator",
            "Relación con la persona agresora",
        ),
        flag(
            "treated_as_offender",
            "Treated as an offender",
            "Tratada como infractora",
            description_en="The child was detained or charged instead of protected (OPSC 8).",
            description_es="La niña o niño fue detenido o acusado en lugar de protegido.",
        ),
        code(
            "risk_factors",
            "risk_factors",
            "Risk factors",
            "Factores de riesgo",
            multiple=True,
            description_en="Risk-factor codes separated by spaces.",
            description_es="Códigos de factores de riesgo separados por espacios.",
        ),
    ),
    primary_key=("agency_victim_id",),
    foreign_keys=(CASE_REF,),
    children={"risk_factors": ("victim_risk_factor", "victim_id", "risk_factor")},
    version="1.1.0",  # tokens of the first given name and the paternal surname alone
)

PERPETRATORS = Contract(
    "perpetrators",
    "perpetrator",
    "Perpetrators",
    "Personas agresoras",
    (
        agency_id(
            "agency_perpetrator_id", "Perpetrator ID", "ID de la persona agresora", required=True
        ),
        AGENCY_CASE,
        Field(
            "person_type",
            "string",
            "Natural or legal person",
            "Persona física o moral",
            "natural (a person) or legal (a company or organisation).",
            "natural (persona física) o legal (persona moral / jurídica).",
            required=True,
            enum=("natural", "legal"),
        ),
        Field("key_version", "string", "Linkage key version", "Versión de la llave", max_length=20),
        replace(
            token(
                "tk_identity",
                "Identity token (national or tax ID)",
                "Token de identidad (documento o RFC/RUC)",
            ),
            aliases=("identity_token", "token_de_identidad"),  # its titles in contract 1.0.0
        ),
        *PERSON_IDENTITY,
        Field(
            "birth_year",
            "integer",
            "Year of birth",
            "Año de nacimiento",
            "Natural persons only.",
            "Solo personas físicas.",
            minimum=1900,
        ),
        SEX,
        count(
            "age",
            "Age at the time of the offence",
            "Edad al momento del delito",
            maximum=120,
            aliases=("edad",),
        ),
        NATIONALITY,
        Field("role", "string", "Role", "Rol", max_length=40),
        flag("public_official", "Public official", "Servidor público"),
    ),
    primary_key=("agency_perpetrator_id",),
    foreign_keys=(CASE_REF,),
    version="1.1.0",  # names and birth date of natural persons, pseudonymised
)

PROCEEDINGS = Contract(
    "proceedings",
    "proceeding",
    "Proceedings",
    "Procesos judiciales",
    (
        agency_id("agency_proceeding_id", "Proceeding ID", "ID del proceso", required=True),
        AGENCY_CASE.but(required=True),
        agency_id("agency_perpetrator_id", "Perpetrator ID", "ID de la persona agresora"),
        OFFENCE,
        code("stage", "justice_stages", "Stage", "Etapa", required=True),
        code("outcome", "justice_stages", "Outcome", "Resultado"),
        day("stage_date", "Date of the stage", "Fecha de la etapa"),
        count("sentence_months", "Sentence (months)", "Pena (meses)", maximum=1200),
        flag("extradition_requested", "Extradition requested", "Extradición solicitada"),
        Field(
            "extradition_refusal_ground",
            "string",
            "Ground for refusing extradition",
            "Motivo de rechazo de la extradición",
            max_length=40,
        ),
    ),
    primary_key=("agency_proceeding_id",),
    foreign_keys=(
        CASE_REF,
        ForeignKey(
            "agency_perpetrator_id",
            "perpetrators",
            "perpetrator",
            "agency_perpetrator_id",
            "perpetrator_id",
        ),
    ),
)

SERVICES = Contract(
    "services",
    "service",
    "Services to victims",
    "Servicios a víctimas",
    (
        agency_id("agency_service_id", "Service ID", "ID del servicio", required=True),
        agency_id("agency_victim_id", "Victim ID", "ID de la víctima"),
        code("service_type", "service_types", "Service", "Servicio", required=True),
        day("date_start", "Start date", "Fecha de inicio"),
        day("date_end", "End date", "Fecha de término"),
        count("interviews", "Number of interviews", "Número de entrevistas", maximum=100),
        amount("amount_claimed", "Compensation claimed", "Reparación solicitada"),
        amount("amount_awarded", "Compensation awarded", "Reparación otorgada"),
        amount("amount_paid", "Compensation paid", "Reparación pagada"),
    ),
    primary_key=("agency_service_id",),
    foreign_keys=(
        ForeignKey("agency_victim_id", "victims", "victim", "agency_victim_id", "victim_id"),
    ),
)

HELPLINE = Contract(
    "helpline_contacts",
    "helpline_contact",
    "Helpline contacts",
    "Contactos a la línea de ayuda",
    (
        agency_id("agency_contact_id", "Contact ID", "ID del contacto", required=True),
        day("contact_date", "Date of contact", "Fecha del contacto", required=True),
        Field("channel", "string", "Channel", "Canal", max_length=40),
        Field("caller", "string", "Caller", "Quien llama", max_length=40),
        OFFENCE,
        GEO,
        Field("referred_to", "string", "Referred to", "Derivado a", max_length=40),
    ),
    primary_key=("agency_contact_id",),
)

COMPLAINTS = Contract(
    "complaints",
    "complaint",
    "Complaints to human rights commissions",
    "Quejas ante comisiones de derechos humanos",
    (
        agency_id("agency_complaint_id", "Complaint ID", "ID de la queja", required=True),
        day("date_filed", "Date filed", "Fecha de presentación", required=True),
        flag("filed_by_child", "Filed by the child", "Presentada por la niña o niño"),
        flag(
            "parental_consent_required",
            "Parental consent required",
            "Requiere consentimiento parental",
        ),
        OFFENCE,
        GEO,
        Field("outcome", "string", "Outcome", "Resultado", max_length=40),
    ),
    primary_key=("agency_complaint_id",),
)

AGGREGATE_DIMENSIONS = (
    "geo_code",
    "offence",
    "sex",
    "age_band",
    "nationality",
    "ethnic_origin",
    "stage",
)

AGGREGATES = Contract(
    "aggregate_cells",
    "aggregate_cell",
    "Aggregate counts",
    "Conteos agregados",
    (
        Field("measure", "string", "Measure", "Medida", required=True, max_length=40),
        code("unit", "counting_units", "Counting unit", "Unidad de conteo", required=True),
        Field("period_start", "date", "Period start", "Inicio del periodo", required=True),
        Field("period_end", "date", "Period end", "Fin del periodo", required=True),
        GEO,
        OFFENCE,
        SEX,
        code("age_band", "age_bands", "Age band", "Grupo de edad"),
        NATIONALITY,
        code("ethnic_origin", "ethnic_origin", "Ethnic origin", "Origen étnico"),
        code("stage", "justice_stages", "Stage", "Etapa"),
        count("value", "Count", "Conteo", required=True),
    ),
    primary_key=("measure", "unit", "period_start", "period_end", *AGGREGATE_DIMENSIONS),
    kind="aggregate",
)

CONTRACTS: tuple[Contract, ...] = (
    CASES,
    VICTIMS,
    PERPETRATORS,
    PROCEEDINGS,
    SERVICES,
    HELPLINE,
    COMPLAINTS,
    AGGREGATES,
    PLANS,
    PLAN_EVALUATIONS,
    TRAININGS,
    BUDGET,
    CAMPAIGNS,
    LEGISLATION,
)

# Contracts whose clear identifiers `opsc pseudonymise` replaces by tokens at the institution.
PSEUDONYMISED = ("victims", "perpetrators")

# The clear columns `opsc pseudonymise` reads at the institution, by every spelling it knows.
CLEAR_COLUMNS: dict[str, tuple[str, ...]] = {
    "given_names": ("given_names", "nombres", "nombre", "first_names"),
    "paternal_surname": ("paternal_surname", "apellido_paterno", "primer_apellido"),
    "maternal_surname": ("maternal_surname", "apellido_materno", "segundo_apellido"),
    "birth_date": ("birth_date", "fecha_nacimiento", "fecha_de_nacimiento", "date_of_birth"),
    "age": ("age", "edad"),
    # personal or tax ID: a Mexican RFC encodes the surnames' initials and the birth date
    "national_id": (
        "national_id",
        "curp",
        "dni",
        "documento_identidad",
        "numero_documento",
        "rfc",
        "ruc",
        "tax_id",
    ),
}

# Those columns, never accepted centrally (an age is not identifying on its own).
CLEAR_IDENTIFIERS = tuple(
    spelling for name, spellings in CLEAR_COLUMNS.items() if name != "age" for spelling in spellings
)
