"""Harvesters fetch a source and map what they find to the gov-catalog profile (RDF triples).

A harvester knows only its kind of source: how to read it and how its fields become profile terms.
Validation against the SHACL shapes, 一数一源 (one resource, one source), storage, indexing and run reports
are shared pipeline stages that know nothing of any source. Harvester types are meant to be found by name
(``type = "spreadsheet"`` in the configuration) through a registry here, so that adding a source kind adds
one module and no import chain.

``spreadsheet`` reads the department catalog template (政务信息资源目录模板), the CSV or XLSX form that
departments fill in.
"""
