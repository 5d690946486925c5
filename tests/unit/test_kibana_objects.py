"""The shipped Kibana objects fit the mapping and the import API; the importer is checked on a fake Kibana.

Kibana cannot run on this project's machines, so two things stand in for it: the checks below encode what
Kibana's saved-object types accept (attribute keys of the version-specific schemas, reference names,
`coreMigrationVersion` / `typeMigrationVersion` for the Kibana pinned in docker-compose.yml, field types each
visualisation needs), and a tiny HTTP server on loopback plays Kibana's import endpoint so the importer's
real request (URL, headers, multipart body, prefix substitution, error handling) can be checked.
"""

from __future__ import annotations

import base64
import email
import email.policy
import json
import re
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from index.kibana import (
    IMPORT_PATH,
    SAVED_OBJECTS_FILE,
    fit_to_prefix,
    import_saved_objects,
    import_when_ready,
    load_saved_objects,
)
from index.templates import index_templates
from newsdesk.kernel.errors import ConfigError, Rejected, TransientError
from newsdesk.kernel.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = Settings()

# What Kibana 9.2 accepts on import, per type: the version the attributes are written for. Kibana migrates an
# object up from its typeMigrationVersion and refuses one newer than it knows, so each value must be a version
# the pinned Kibana has and whose attribute shape the object follows:
#   index-pattern 8.0.0  last legacy migration of data views (no model versions)
#   search       10.1.0  model version 1 (flat columns/sort/searchSourceJSON; tabs are added by migration)
#   lens          8.9.0  last legacy migration of Lens (formBased datasource, references per layer)
#   map           8.4.0  last legacy migration of maps (GEOJSON_VECTOR / EMS_VECTOR_TILE layer types)
#   dashboard    10.2.0  model version 2 (panelsJSON with panelRefName; sections came later)
# coreMigrationVersion is frozen at 8.8.0 since Kibana moved to model versions.
KIBANA_IMPORT_VERSIONS = {
    "9.2": {
        "core": "8.8.0",
        "types": {
            "index-pattern": "8.0.0",
            "search": "10.1.0",
            "lens": "8.9.0",
            "map": "8.4.0",
            "dashboard": "10.2.0",
        },
    }
}
# Attribute keys the schema of that version allows (Kibana forbids unknown keys on create).
ALLOWED_ATTRIBUTES = {
    "dashboard": {
        "title", "description", "kibanaSavedObjectMeta", "timeRestore", "timeFrom", "timeTo",
        "refreshInterval", "controlGroupInput", "panelsJSON", "optionsJSON", "hits", "version",
    },
    "search": {
        "title", "description", "columns", "sort", "grid", "rowHeight", "rowsPerPage", "hideChart",
        "breakdownField", "kibanaSavedObjectMeta", "isTextBasedQuery", "usesAdHocDataView", "timeRestore",
        "timeRange", "refreshInterval", "viewMode", "hideAggregatedPreview", "hits", "version", "sampleSize",
    },
    "lens": {"title", "description", "visualizationType", "state"},
    "map": {"title", "description", "layerListJSON", "mapStateJSON", "uiStateJSON"},
    "index-pattern": {
        "title", "name", "timeFieldName", "fields", "fieldFormatMap", "fieldAttrs", "runtimeFieldMap",
        "sourceFilters", "typeMeta", "allowNoIndex",
    },
}  # fmt: skip
REQUIRED_ATTRIBUTES = {
    "dashboard": {"title", "panelsJSON"},
    "search": {"title", "columns", "sort", "kibanaSavedObjectMeta"},
    "lens": {"title", "visualizationType", "state"},
    "map": {"title", "layerListJSON", "mapStateJSON"},
    "index-pattern": {"title", "timeFieldName"},
}
JSON_STRING_ATTRIBUTES = ("panelsJSON", "optionsJSON", "layerListJSON", "mapStateJSON", "uiStateJSON")

NUMERIC = {"integer", "long", "short", "byte", "float", "double", "half_float", "scaled_float"}
AGGREGATABLE = NUMERIC | {"keyword", "date", "ip", "boolean"}
# What each use of a field needs from its mapping type.
USABLE_TYPES = {
    "column": None,  # any mapped field can be shown
    "sort": AGGREGATABLE,
    "exists": None,
    "match": None,
    "range": NUMERIC | {"date"},
    "terms": AGGREGATABLE,
    "unique_count": AGGREGATABLE,
    "max": NUMERIC | {"date"},
    "min": NUMERIC | {"date"},
    "sum": NUMERIC,
    "average": NUMERIC,
    "date_histogram": {"date"},
    "geo_point": {"geo_point"},
    "time_field": {"date"},
    "breakdown": AGGREGATABLE,
}
QUERY_USES = {"match", "exists", "range"}
KQL_FIELD = re.compile(r"([A-Za-z_][\w.]*)\s*(:\s*\*|:|<=|>=|<|>)")


# --- helpers -------------------------------------------------------------------------------------------


def pinned_stack_version() -> str:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    image = compose["services"]["kibana"]["image"]
    match = re.search(r"\$\{STACK_VERSION:-([\d.]+)\}", image)
    assert match, image
    return match.group(1)


def flat_mapping(properties: dict[str, Any], prefix: str = "") -> dict[str, dict[str, Any]]:
    """Every field name Kibana sees (objects flattened, multi-fields as `name.sub`) → its mapping."""
    fields: dict[str, dict[str, Any]] = {}
    for name, spec in properties.items():
        path = f"{prefix}{name}"
        if "properties" in spec:
            fields.update(flat_mapping(spec["properties"], f"{path}."))
            continue
        if spec.get("type", "object") == "object":
            continue  # an unindexed object (enabled: false) has no searchable fields
        fields[path] = spec
        for sub, sub_spec in spec.get("fields", {}).items():
            fields[f"{path}.{sub}"] = sub_spec
    return fields


def mappings_by_alias(settings: Settings = SETTINGS) -> dict[str, dict[str, dict[str, Any]]]:
    return {
        alias: flat_mapping(template["template"]["mappings"]["properties"])
        for alias, template in index_templates(settings).items()
    }


def by_key(objects: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(item["type"], item["id"]): item for item in objects}


def reference_to(item: dict[str, Any], name: str) -> dict[str, Any]:
    matches = [ref for ref in item["references"] if ref["name"] == name]
    assert len(matches) == 1, f"{item['type']}/{item['id']}: reference {name!r} missing or repeated"
    return matches[0]


def kql_fields(query: str) -> list[tuple[str, str]]:
    """(field, use) for every field a KQL query names."""
    found = []
    for field, operator in KQL_FIELD.findall(query):
        if field in {"and", "or", "not"}:
            continue
        operator = operator.replace(" ", "")
        found.append((field, "exists" if operator == ":*" else "match" if operator == ":" else "range"))
    return found


def used_fields(item: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(data view id, field, use) for every field a saved object uses."""
    kind, attributes = item["type"], item["attributes"]
    uses: list[tuple[str, str, str]] = []
    if kind == "index-pattern":
        uses.append((item["id"], attributes["timeFieldName"], "time_field"))
    elif kind == "search":
        source = json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])
        view = reference_to(item, source["indexRefName"])["id"]
        uses += [(view, column, "column") for column in attributes["columns"]]
        uses += [(view, field, "sort") for field, _direction in attributes["sort"]]
        uses += [(view, field, use) for field, use in kql_fields(source["query"]["query"])]
        if "breakdownField" in attributes:
            uses.append((view, attributes["breakdownField"], "breakdown"))
        for query_filter in source.get("filter", []):
            uses.append((view, query_filter["meta"]["key"], "match"))
    elif kind == "lens":
        state = attributes["state"]
        for layer_id, layer in state["datasourceStates"]["formBased"]["layers"].items():
            view = reference_to(item, f"indexpattern-datasource-layer-{layer_id}")["id"]
            for column in layer["columns"].values():
                if column["operationType"] != "count":
                    uses.append((view, column["sourceField"], column["operationType"]))
                if "filter" in column:
                    uses += [(view, f, use) for f, use in kql_fields(column["filter"]["query"])]
            uses += [(view, f, use) for f, use in kql_fields(state["query"]["query"])]
    elif kind == "map":
        for index, layer in enumerate(json.loads(attributes["layerListJSON"])):
            source = layer["sourceDescriptor"]
            if "indexPatternRefName" in source:
                view = reference_to(item, source["indexPatternRefName"])["id"]
                uses.append((view, source["geoField"], "geo_point"))
                uses += [(view, m["field"], m["type"]) for m in source.get("metrics", []) if "field" in m]
            for join in layer.get("joins", []):
                right = join["right"]
                view = reference_to(item, right["indexPatternRefName"])["id"]
                assert right["indexPatternRefName"].startswith(f"layer_{index}_join_")
                uses.append((view, right["term"], "terms"))
                uses += [(view, m["field"], m["type"]) for m in right.get("metrics", []) if "field" in m]
    return uses


def dashboard_panels(objects: list[dict[str, Any]], title: str) -> list[dict[str, Any]]:
    found = [item for item in objects if item["type"] == "dashboard" and item["attributes"]["title"] == title]
    assert len(found) == 1, f"no dashboard titled {title!r}"
    dashboard = found[0]
    keys = by_key(objects)
    panels = []
    for panel in json.loads(dashboard["attributes"]["panelsJSON"]):
        reference = reference_to(dashboard, f"{panel['panelIndex']}:{panel['panelRefName']}")
        panels.append(keys[(reference["type"], reference["id"])])
    return panels


def fields_shown(objects: list[dict[str, Any]], panels: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    """(index title, field, use) over a dashboard's panels."""
    titles = {item["id"]: item["attributes"]["title"] for item in objects if item["type"] == "index-pattern"}
    return {(titles[view], field, use) for panel in panels for view, field, use in used_fields(panel)}


# --- the ndjson: shape, versions, references --------------------------------------------------------


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    return load_saved_objects()


def test_every_line_is_one_saved_object_with_a_unique_id(objects):
    lines = [line for line in SAVED_OBJECTS_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) == len(objects) > 0
    for item in objects:
        assert {
            "id",
            "type",
            "attributes",
            "references",
            "coreMigrationVersion",
            "typeMigrationVersion",
        } <= set(item), item.get("id")
        assert isinstance(item["id"], str) and re.fullmatch(r"[a-z0-9-]+", item["id"]), item["id"]
        assert isinstance(item["attributes"], dict) and isinstance(item["references"], list)
    keys = [(item["type"], item["id"]) for item in objects]
    assert len(keys) == len(set(keys))


def test_migration_versions_are_the_ones_the_pinned_kibana_accepts(objects):
    stack = pinned_stack_version()
    env_example = (ROOT / ".env.example").read_text()
    assert f"STACK_VERSION={stack}" in env_example
    minor = ".".join(stack.split(".")[:2])
    assert minor in KIBANA_IMPORT_VERSIONS, (
        f"Kibana {stack} is pinned: check each type's model/migration version in Kibana {minor}, "
        "then add it to KIBANA_IMPORT_VERSIONS"
    )
    expected = KIBANA_IMPORT_VERSIONS[minor]
    for item in objects:
        assert item["coreMigrationVersion"] == expected["core"], item["id"]
        assert item["typeMigrationVersion"] == expected["types"][item["type"]], item["id"]


def test_attributes_fit_the_schema_of_their_version(objects):
    for item in objects:
        keys = set(item["attributes"])
        assert keys <= ALLOWED_ATTRIBUTES[item["type"]], (item["id"], keys - ALLOWED_ATTRIBUTES[item["type"]])
        assert REQUIRED_ATTRIBUTES[item["type"]] <= keys, item["id"]
        for name in JSON_STRING_ATTRIBUTES:
            if name in item["attributes"]:
                json.loads(item["attributes"][name])
        meta = item["attributes"].get("kibanaSavedObjectMeta")
        if meta:
            source = json.loads(meta["searchSourceJSON"])
            assert source["query"]["language"] == "kuery"


def test_every_reference_points_to_an_object_in_the_file_and_is_used(objects):
    keys = by_key(objects)
    for item in objects:
        names = [ref["name"] for ref in item["references"]]
        assert len(names) == len(set(names)), item["id"]
        for reference in item["references"]:
            assert (reference["type"], reference["id"]) in keys, (item["id"], reference)
        used = set()
        attributes = item["attributes"]
        if item["type"] == "search":
            used.add(json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])["indexRefName"])
        elif item["type"] == "lens":
            layers = attributes["state"]["datasourceStates"]["formBased"]["layers"]
            used |= {f"indexpattern-datasource-layer-{layer_id}" for layer_id in layers}
        elif item["type"] == "map":
            for layer in json.loads(attributes["layerListJSON"]):
                refs = [layer["sourceDescriptor"]] + [join["right"] for join in layer.get("joins", [])]
                used |= {ref["indexPatternRefName"] for ref in refs if "indexPatternRefName" in ref}
                assert not any("indexPatternId" in ref for ref in refs), "ids belong in references"
        elif item["type"] == "dashboard":
            for panel in json.loads(attributes["panelsJSON"]):
                used.add(f"{panel['panelIndex']}:{panel['panelRefName']}")
        assert used == set(names), (item["id"], used ^ set(names))


def test_data_views_cover_the_four_stores_with_date_time_fields(objects):
    mappings = mappings_by_alias()
    views = [item for item in objects if item["type"] == "index-pattern"]
    by_title: dict[str, set[str]] = {}
    for view in views:
        title, time_field = view["attributes"]["title"], view["attributes"]["timeFieldName"]
        assert title in mappings, f"{view['id']}: {title} is not one of {sorted(mappings)}"
        assert mappings[title][time_field]["type"] == "date", (view["id"], time_field)
        by_title.setdefault(title, set()).add(time_field)
    assert by_title == {
        SETTINGS.articles_alias: {"published_at", "indexed_at"},
        SETTINGS.duplicates_index: {"seen_at"},
        SETTINGS.deadletter_index: {"recorded_at"},
        SETTINGS.crawl_runs_index: {"started_at"},
        SETTINGS.crawl_log_index: {"recorded_at"},
    }


def test_dashboard_panels_stay_inside_the_grid_without_overlapping(objects):
    for dashboard in (item for item in objects if item["type"] == "dashboard"):
        cells: dict[tuple[int, int], str] = {}
        panels = json.loads(dashboard["attributes"]["panelsJSON"])
        assert len({panel["panelIndex"] for panel in panels}) == len(panels)
        for panel in panels:
            grid = panel["gridData"]
            assert grid["i"] == panel["panelIndex"]
            assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 48, panel["panelIndex"]
            for x in range(grid["x"], grid["x"] + grid["w"]):
                for y in range(grid["y"], grid["y"] + grid["h"]):
                    assert (x, y) not in cells, (dashboard["id"], panel["panelIndex"], cells.get((x, y)))
                    cells[(x, y)] = panel["panelIndex"]


def test_lens_visualisations_use_only_columns_their_layers_define(objects):
    for item in (item for item in objects if item["type"] == "lens"):
        state = item["attributes"]["state"]
        layers = state["datasourceStates"]["formBased"]["layers"]
        for layer in layers.values():
            assert layer["columnOrder"] and set(layer["columnOrder"]) == set(layer["columns"])
            for column in layer["columns"].values():
                order = column.get("params", {}).get("orderBy", {})
                if order.get("type") == "column":
                    assert order["columnId"] in layer["columns"], item["id"]
        vis = state["visualization"]
        kind = item["attributes"]["visualizationType"]
        if kind == "lnsXY":
            accessors = [
                (entry["layerId"], column)
                for entry in vis["layers"]
                for column in [entry["xAccessor"], *entry["accessors"], entry.get("splitAccessor")]
                if column
            ]
        elif kind == "lnsPie":
            accessors = [
                (entry["layerId"], column)
                for entry in vis["layers"]
                for column in entry["primaryGroups"] + entry["metrics"]
            ]
        elif kind == "lnsDatatable":
            accessors = [(vis["layerId"], column["columnId"]) for column in vis["columns"]]
        elif kind == "lnsMetric":
            accessors = [(vis["layerId"], vis["metricAccessor"])]
        else:
            pytest.fail(f"{item['id']}: unexpected visualisation {kind}")
        for layer_id, column in accessors:
            assert column in layers[layer_id]["columns"], (item["id"], layer_id, column)


# --- the fields ------------------------------------------------------------------------------------------


def test_every_field_exists_in_the_mapping_with_a_type_its_use_needs(objects):
    mappings = mappings_by_alias()
    titles = {item["id"]: item["attributes"]["title"] for item in objects if item["type"] == "index-pattern"}
    checked = 0
    for item in objects:
        for view, field, use in used_fields(item):
            mapping = mappings[titles[view]]
            assert field in mapping, f"{item['type']}/{item['id']}: {field} is not in {titles[view]}"
            spec = mapping[field]
            needed = USABLE_TYPES[use]
            assert needed is None or spec["type"] in needed, (
                f"{item['type']}/{item['id']}: {use} on {field} needs {sorted(needed)}, the mapping has "
                f"{spec['type']}"
            )
            if use in QUERY_USES:
                assert spec.get("index", True), f"{item['id']}: {field} is not indexed, {use} cannot use it"
            elif needed:
                assert spec.get("doc_values", True), f"{item['id']}: {field} has no doc values for {use}"
            checked += 1
    assert checked > 60


def test_field_checks_catch_a_field_missing_from_the_mapping(objects):
    broken = json.loads(json.dumps(objects))
    lens = next(item for item in broken if item["id"] == "newsdesk-lens-top-people")
    layer = next(iter(lens["attributes"]["state"]["datasourceStates"]["formBased"]["layers"].values()))
    layer["columns"]["name"]["sourceField"] = "persons"
    with pytest.raises(AssertionError, match="persons is not in"):
        test_every_field_exists_in_the_mapping_with_a_type_its_use_needs(broken)
    layer["columns"]["name"]["sourceField"] = "title"  # text: not aggregatable
    with pytest.raises(AssertionError, match="terms on title needs"):
        test_every_field_exists_in_the_mapping_with_a_type_its_use_needs(broken)
    search = next(item for item in broken if item["id"] == "newsdesk-search-latest-articles")
    meta = search["attributes"]["kibanaSavedObjectMeta"]
    unindexed = '"query": "published_at_raw:2019*"'
    meta["searchSourceJSON"] = meta["searchSourceJSON"].replace('"query": ""', unindexed)
    layer["columns"]["name"]["sourceField"] = "people"
    with pytest.raises(AssertionError, match="published_at_raw is not indexed"):
        test_every_field_exists_in_the_mapping_with_a_type_its_use_needs(broken)


def test_kql_fields_are_found():
    assert kql_fields("revision_count > 1 or removed_at:*") == [
        ("revision_count", "range"),
        ("removed_at", "exists"),
    ]
    assert kql_fields('source.keyword : "Agency A" and not language:ru') == [
        ("source.keyword", "match"),
        ("language", "match"),
    ]


def test_the_saved_searches_the_analysts_asked_for(objects):
    searches = {item["attributes"]["title"]: item for item in objects if item["type"] == "search"}
    assert {
        "Latest articles",
        "Articles by source",
        "Duplicates across outlets",
        "Edited or removed articles",
        "Edited articles",
        "Removed articles",
    } <= set(searches)

    def query(title: str) -> str:
        source = json.loads(searches[title]["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
        return source["query"]["query"]

    assert searches["Latest articles"]["attributes"]["sort"] == [["published_at", "desc"]]
    assert searches["Articles by source"]["attributes"]["sort"][0] == ["source.keyword", "asc"]
    assert kql_fields(query("Duplicates across outlets")) == [("also_seen_count", "range")]
    assert set(kql_fields(query("Edited or removed articles"))) == {
        ("revision_count", "range"),
        ("removed_at", "exists"),
    }
    # Revisions: each kind on its own, most recent first, with the fields that say what happened.
    assert kql_fields(query("Edited articles")) == [("revision_count", "range")]
    assert searches["Edited articles"]["attributes"]["sort"] == [["last_changed_at", "desc"]]
    assert kql_fields(query("Removed articles")) == [("removed_at", "exists")]
    assert searches["Removed articles"]["attributes"]["sort"] == [["removed_at", "desc"]]
    assert {"removed_at", "removal_evidence.kind", "restored_at"} <= set(
        searches["Removed articles"]["attributes"]["columns"]
    )


def test_the_news_dashboard_shows_what_the_issue_lists(objects):
    shown = fields_shown(objects, dashboard_panels(objects, "News"))
    articles = SETTINGS.articles_alias
    assert {
        (articles, "published_at", "date_histogram"),  # articles over time …
        (articles, "source.keyword", "terms"),  # … by source
        (articles, "people", "terms"),
        (articles, "organisations", "terms"),
        (articles, "geo", "geo_point"),  # countries on a map: places named …
        (articles, "countries", "terms"),  # … and a choropleth by ISO code
        (articles, "language", "terms"),
        (articles, "story_id", "terms"),  # stories run by several outlets
        (articles, "source.keyword", "unique_count"),
        (articles, "revision_count", "range"),  # edited articles …
        (articles, "removed_at", "exists"),  # … and removed ones
        (articles, "removal_evidence.kind", "column"),
    } <= shown
    titles = {panel["attributes"]["title"] for panel in dashboard_panels(objects, "News")}
    assert {"Edited articles", "Removed articles"} <= titles


def test_the_crawl_health_dashboard_shows_what_the_issue_lists(objects):
    panels = dashboard_panels(objects, "Crawl health")
    shown = fields_shown(objects, panels)
    assert {
        (SETTINGS.articles_alias, "run_id", "terms"),  # runs, and new articles per run …
        (SETTINGS.duplicates_index, "run_id", "terms"),  # … against duplicates …
        (SETTINGS.deadletter_index, "run_id", "terms"),  # … and failures per run
        (SETTINGS.deadletter_index, "reason", "terms"),  # errors by kind
        (SETTINGS.deadletter_index, "stage", "terms"),
    } <= shown
    metrics = [panel for panel in panels if panel["attributes"].get("visualizationType") == "lnsMetric"]
    assert [panel["attributes"]["title"] for panel in metrics] == ["Dead letters"]


# --- prefix substitution ---------------------------------------------------------------------------------


def test_the_shipped_prefix_is_left_as_it_is(objects):
    assert fit_to_prefix(objects, Settings()) == objects


def test_another_prefix_renames_aliases_ids_and_references_consistently(objects):
    settings = Settings(index_prefix="desk")
    fitted = fit_to_prefix(objects, settings)

    assert "newsdesk" not in json.dumps(fitted)
    assert objects == load_saved_objects(), "the shipped objects must not be changed in place"
    titles = {item["attributes"]["title"] for item in fitted if item["type"] == "index-pattern"}
    assert titles == {
        "desk-articles",
        "desk-duplicates",
        "desk-deadletter",
        "desk-crawl-runs",
        "desk-crawl-log",
    }
    keys = by_key(fitted)
    for item in fitted:
        assert item["id"].startswith("desk-")
        for reference in item["references"]:
            assert (reference["type"], reference["id"]) in keys
    dashboards = sorted(item["attributes"]["title"] for item in fitted if item["type"] == "dashboard")
    assert dashboards == ["Crawl health [desk]", "News [desk]"]
    # The field checks hold for the renamed aliases too.
    mappings = mappings_by_alias(settings)
    views = {item["id"]: item["attributes"]["title"] for item in fitted if item["type"] == "index-pattern"}
    for item in fitted:
        for view, field, _use in used_fields(item):
            assert field in mappings[views[view]]


# --- the importer, against a fake Kibana on loopback -----------------------------------------------------


class FakeKibana:
    """Records each request to the import endpoint and answers with the next scripted response."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.responses: list[tuple[int, dict[str, Any]]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fake.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status, payload = fake.responses.pop(0) if fake.responses else fake.success()
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def success(self) -> tuple[int, dict[str, Any]]:
        count = len(self.uploaded_objects(-1)) if self.requests else 0
        return 200, {"success": True, "successCount": count, "successResults": []}

    def uploaded_objects(self, index: int) -> list[dict[str, Any]]:
        request = self.requests[index]
        message = email.message_from_bytes(
            f"Content-Type: {request['headers']['Content-Type']}\r\n\r\n".encode() + request["body"],
            policy=email.policy.HTTP,
        )
        parts = list(message.iter_parts())
        assert len(parts) == 1
        assert parts[0].get_param("name", header="content-disposition") == "file"
        assert parts[0].get_filename().endswith(".ndjson")
        text = parts[0].get_payload(decode=True).decode("utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture
def kibana() -> Iterator[FakeKibana]:
    fake = FakeKibana()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def test_the_import_request_is_what_kibana_expects(kibana, objects):
    settings = Settings(es_username="elastic", es_password="s3cret")

    result = import_saved_objects(kibana.url + "/", settings)

    assert result == {"imported": len(objects), "objects": len(objects)}
    (request,) = kibana.requests
    assert request["path"] == IMPORT_PATH == "/api/saved_objects/_import?overwrite=true"
    headers = {name.lower(): value for name, value in request["headers"].items()}
    assert headers["kbn-xsrf"]
    assert base64.b64decode(headers["authorization"].removeprefix("Basic ")) == b"elastic:s3cret"
    assert headers["content-type"].startswith("multipart/form-data; boundary=")
    assert kibana.uploaded_objects(0) == objects


def test_importing_twice_sends_the_same_objects_with_overwrite(kibana, objects):
    import_saved_objects(kibana.url, Settings(es_password="pw"))
    import_saved_objects(kibana.url, Settings(es_password="pw"))

    assert [r["path"] for r in kibana.requests] == [IMPORT_PATH, IMPORT_PATH]
    assert kibana.uploaded_objects(0) == kibana.uploaded_objects(1) == objects


def test_the_import_carries_this_deployments_prefix(kibana, objects):
    import_saved_objects(kibana.url, Settings(index_prefix="desk", es_password="pw"))

    uploaded = kibana.uploaded_objects(0)
    assert uploaded == fit_to_prefix(objects, Settings(index_prefix="desk"))
    assert "newsdesk" not in json.dumps(uploaded)


def test_kibana_starting_up_is_transient_and_retried(kibana, objects):
    starting = (503, {"statusCode": 503, "error": "Service Unavailable", "message": "Kibana is not ready"})
    kibana.responses = [starting, starting]
    with pytest.raises(TransientError, match="not ready: 503"):
        import_saved_objects(kibana.url, Settings(es_password="pw"))

    slept: list[float] = []
    result = import_when_ready(kibana.url, Settings(es_password="pw"), wait_seconds=60, sleep=slept.append)

    assert result["imported"] == len(objects)
    assert len(kibana.requests) == 3 and slept == [1.0]


def test_wrong_credentials_are_a_configuration_error(kibana):
    kibana.responses = [(401, {"statusCode": 401, "error": "Unauthorized"})]
    with pytest.raises(ConfigError, match="refused the credentials"):
        import_when_ready(kibana.url, Settings(es_password="wrong"), wait_seconds=60, sleep=lambda _: None)
    assert len(kibana.requests) == 1


def test_objects_kibana_refuses_are_named(kibana):
    kibana.responses = [
        (
            200,
            {
                "success": False,
                "successCount": 22,
                "errors": [
                    {
                        "id": "newsdesk-map-countries",
                        "type": "map",
                        "error": {
                            "type": "missing_references",
                            "references": [{"type": "index-pattern", "id": "x"}],
                        },
                    }
                ],
            },
        )
    ]
    with pytest.raises(Rejected, match="map/newsdesk-map-countries: missing_references \\(missing x\\)"):
        import_saved_objects(kibana.url, Settings(es_password="pw"))


def test_nobody_listening_is_transient():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TransientError, match="unreachable"):
        import_saved_objects(f"http://127.0.0.1:{port}", Settings(es_password="pw"), timeout=5)


def test_a_url_without_scheme_is_a_configuration_error():
    with pytest.raises(ConfigError, match="must start with http"):
        import_saved_objects("localhost:5601", Settings(es_password="pw"))
