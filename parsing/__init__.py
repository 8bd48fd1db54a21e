"""Streamlit-free parser of 政府信息公开工作年度报告: document bytes → canonical report."""

from parsing.api import parse_batch, parse_bytes, parse_document, parse_path
from parsing.report import PARSER_VERSION, ParsedReport

__all__ = ["PARSER_VERSION", "ParsedReport", "parse_batch", "parse_bytes", "parse_document", "parse_path"]
