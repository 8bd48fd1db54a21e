"""Documents that go out, in Word (.docx from docxtpl templates in ``templates/``): the 整改通知单 per
agency and year (:mod:`.notice`) and the county 通报 (:mod:`.briefing`). Streamlit-free and pure: they
take lists of :class:`library.finding.Finding` and numbers, so they do not depend on how findings are
computed. The templates are made by ``scripts/make_doc_templates.py`` and may be edited in Word.
"""
