"""Harvesting: the shared pipeline (``pipeline``), run provenance (``runs``), 一数一源 (``authority``),
source configuration (``sources``) and the scheduler (``scheduler``)."""
