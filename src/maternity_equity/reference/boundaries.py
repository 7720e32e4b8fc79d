"""LSOA boundaries (GeoJSON), normalised so every feature carries ``properties.lsoa_code``."""

from __future__ import annotations

import re

from maternity_equity.reference.sources import ReferenceFile, load_json

CODE_PROPERTY = re.compile(r"^(lsoa(11|21)cd|lsoa_code)$", re.IGNORECASE)
NAME_PROPERTY = re.compile(r"^(lsoa(11|21)nm|lsoa_name)$", re.IGNORECASE)


def load_boundaries(ref: ReferenceFile) -> tuple[dict, str | None]:
    """The FeatureCollection with ``lsoa_code``/``lsoa_name`` added, and its LSOA vintage.

    The vintage is "2011"/"2021" from an ``LSOA11CD``/``LSOA21CD`` property, None for a bare
    ``lsoa_code`` (then the caller trusts the other files).
    """
    name = ref.path.name
    data = load_json(ref.path)
    if data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise ValueError(f"{name}: not a GeoJSON FeatureCollection")
    vintage: str | None = None
    for number, feature in enumerate(data["features"], start=1):
        properties = feature.get("properties") or {}
        code_key = next((k for k in properties if CODE_PROPERTY.match(k)), None)
        if code_key is None:
            raise ValueError(
                f"{name}: feature {number} has no LSOA code property "
                "(expected LSOA11CD, LSOA21CD or lsoa_code)"
            )
        year = re.search(r"(11|21)", code_key)
        if year and vintage is None:
            vintage = "20" + year.group(1)
        name_key = next((k for k in properties if NAME_PROPERTY.match(k)), None)
        properties["lsoa_code"] = str(properties[code_key]).strip()
        if name_key is not None:
            properties["lsoa_name"] = properties[name_key]
        feature["properties"] = properties
    return data, vintage
