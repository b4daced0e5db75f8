"""Concluding observations: import, parse into paragraphs and recommendations, classify,
find recurring recommendations, and track their implementation in the store."""

from opsc.recommendations.classify import KINDS, Classification, classify
from opsc.recommendations.document import Document, Paragraph, SubItem
from opsc.recommendations.importers import ImportFormatError
from opsc.recommendations.parse import ParseError, parse_file, parse_lines, parse_text
from opsc.recommendations.references import References

__all__ = [
    "KINDS",
    "Classification",
    "Document",
    "ImportFormatError",
    "Paragraph",
    "ParseError",
    "References",
    "SubItem",
    "classify",
    "parse_file",
    "parse_lines",
    "parse_text",
]
