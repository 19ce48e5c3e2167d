"""The campaign's definitions (方案): `data/activities.yaml` and `data/units.yaml`.

`catalog.Catalog` loads and validates them (`schema`, with `file:line` from `yamlfile`) and
answers every question about activities, units and cells; `frozen` keeps what was validated.
"""
