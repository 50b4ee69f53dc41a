#!/usr/bin/env python3
"""Extract a self-contained subset of Stripe's OpenAPI spec (spec3.json / spec3.yaml).

Usage:
  python3 trim_spec.py SPEC_IN OUT.json [--variant full|lean] [--source-commit SHA]
                                        [--source-path PATH] [--indent N]

Variants
  full  every selected operation verbatim (parameters with style/explode, requestBody
        form schema + its `encoding` map, responses) plus every components/schemas
        entry reachable from them through $ref, transitively.
  lean  request side kept verbatim (parameters, requestBody, encoding, and whatever
        $refs they reach); response schemas kept only for LEAN_RESPONSE_SCHEMAS.  Inside
        the kept response graph, a $ref to another top-level API resource (a schema with
        x-resourceId not in LEAN_RESPONSE_SCHEMAS) or to an expansion target is replaced
        by {"x-trimmedRef": "<name>"} (an unconstrained schema), so expandable fields
        still validate both as an ID string and as an (unchecked) expanded object.
        Responses of other operations become {"type": "object", "x-trimmedRef": ...}.

The output is a valid OpenAPI 3.0 document holding only the selected paths.
Only the Python standard library is needed for JSON input; YAML input needs PyYAML.
"""
import argparse
import copy
import json
import sys

OPERATIONS = [
    ("post", "/v1/checkout/sessions"),
    ("get", "/v1/checkout/sessions/{session}"),
    ("post", "/v1/checkout/sessions/{session}/expire"),
    ("get", "/v1/payment_intents/{intent}"),
    ("post", "/v1/payment_intents/{intent}/capture"),
    ("post", "/v1/payment_intents/{intent}/cancel"),
    ("post", "/v1/refunds"),
    ("get", "/v1/refunds/{refund}"),
    ("get", "/v1/balance"),
    ("get", "/v1/account"),
]

# Schemas whose response shape is kept in the lean variant (plus their nested,
# non-resource sub-schemas).
LEAN_RESPONSE_SCHEMAS = {"checkout.session", "payment_intent", "refund", "error", "balance"}
# Non-resource helper schemas that the kept ones need (error -> api_errors, etc.)
LEAN_ALWAYS_FOLLOW = {"api_errors"}

REF_PREFIX = "#/components/schemas/"


def load(path):
    with open(path, "rb") as f:
        raw = f.read()
    if path.endswith((".yaml", ".yml")):
        import yaml  # type: ignore
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return yaml.load(raw, Loader=loader)
    return json.loads(raw)


def iter_refs(node):
    """Yield every $ref string inside node."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            r = n.get("$ref")
            if isinstance(r, str):
                yield r
            stack.extend(n.values())
        elif isinstance(n, list):
            stack.extend(n)


def ref_name(ref):
    if not ref.startswith(REF_PREFIX):
        raise ValueError("unsupported $ref (only local component schemas handled): " + ref)
    return ref[len(REF_PREFIX):]


def closure(schemas, roots_nodes):
    """Names of all component schemas reachable from the given nodes."""
    seen = set()
    todo = [ref_name(r) for n in roots_nodes for r in iter_refs(n)]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in schemas:
            raise KeyError("dangling $ref to schema " + name)
        seen.add(name)
        todo.extend(ref_name(r) for r in iter_refs(schemas[name]))
    return seen


def resource_id_of(schemas, name):
    s = schemas.get(name) or {}
    return s.get("x-resourceId")


def lean_rewrite(node, schemas, keep_resources, follow, path_resource=None):
    """Copy node, replacing $refs that leave the kept response graph by a stub.

    A $ref is kept (and its target added to `follow`) when the target is either one of
    keep_resources, or a helper schema without x-resourceId (nested sub-object) that is
    not used only as an expansion target.  Otherwise it becomes {"x-trimmedRef": name}.
    """
    if isinstance(node, list):
        return [lean_rewrite(x, schemas, keep_resources, follow) for x in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if k == "x-expansionResources":
            # documentation of what an expandable field can expand to; keep names only
            out[k] = {"x-trimmedRefs": [ref_name(r) for r in iter_refs(v)]}
            continue
        out[k] = lean_rewrite(v, schemas, keep_resources, follow)
    r = out.get("$ref")
    if isinstance(r, str):
        name = ref_name(r)
        rid = resource_id_of(schemas, name)
        if name in keep_resources or name in LEAN_ALWAYS_FOLLOW or rid is None:
            follow.add(name)
        else:
            stub = {k: v for k, v in out.items() if k != "$ref"}
            stub["x-trimmedRef"] = name
            return stub
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("spec")
    ap.add_argument("out")
    ap.add_argument("--variant", choices=["full", "lean"], default="full")
    ap.add_argument("--source-commit", default=None)
    ap.add_argument("--source-path", default=None)
    ap.add_argument("--indent", type=int, default=None)
    a = ap.parse_args(argv)

    spec = load(a.spec)
    schemas = spec["components"]["schemas"]

    paths = {}
    missing = []
    for method, p in OPERATIONS:
        op = spec["paths"].get(p, {}).get(method)
        if op is None:
            missing.append(method.upper() + " " + p)
            continue
        paths.setdefault(p, {})[method] = copy.deepcopy(op)
        # path-level parameters, if any
        for k in ("parameters", "servers"):
            if k in spec["paths"][p]:
                paths[p][k] = copy.deepcopy(spec["paths"][p][k])
    if missing:
        print("WARNING: operations not in this spec: " + ", ".join(missing), file=sys.stderr)

    if a.variant == "full":
        names = closure(schemas, [paths])
        out_schemas = {n: schemas[n] for n in sorted(names)}
    else:
        out_schemas = {}
        follow = set()
        # 1. request side verbatim (parameters + requestBody), with full closure
        req_nodes = []
        for p, item in paths.items():
            for m, op in item.items():
                if m in ("parameters", "servers"):
                    req_nodes.append(op)
                    continue
                req_nodes.append({k: v for k, v in op.items() if k != "responses"})
        req_schema_names = closure(schemas, req_nodes)
        for n in req_schema_names:
            out_schemas[n] = schemas[n]
        # 2. responses: keep only allowed schemas, stub the rest
        for p, item in paths.items():
            for m, op in item.items():
                if m in ("parameters", "servers"):
                    continue
                for code, resp in op.get("responses", {}).items():
                    for ctype, media in resp.get("content", {}).items():
                        sch = media.get("schema", {})
                        r = sch.get("$ref")
                        if r and ref_name(r) in LEAN_RESPONSE_SCHEMAS:
                            follow.add(ref_name(r))
                        else:
                            media["schema"] = lean_rewrite(sch, schemas, LEAN_RESPONSE_SCHEMAS, follow)
                            if r:
                                media["schema"] = {"type": "object", "x-trimmedRef": ref_name(r)}
        done = set()
        while follow - done:
            n = sorted(follow - done)[0]
            done.add(n)
            if n in req_schema_names:
                continue  # already copied verbatim (with its full closure) for the request side
            out_schemas[n] = lean_rewrite(schemas[n], schemas, LEAN_RESPONSE_SCHEMAS, follow)
        out_schemas = {n: out_schemas[n] for n in sorted(out_schemas)}

    info = copy.deepcopy(spec.get("info", {}))
    info["x-subsetOf"] = {
        "sourceInfoVersion": spec.get("info", {}).get("version"),
        "sourceRepo": "github.com/stripe/openapi",
        "sourcePath": a.source_path,
        "sourceCommit": a.source_commit,
        "variant": a.variant,
        "operations": [m.upper() + " " + p for m, p in OPERATIONS if (m.upper() + " " + p) not in missing],
        "generator": "trim_spec.py",
    }
    out = {
        "openapi": spec.get("openapi"),
        "info": info,
        "servers": spec.get("servers"),
        "security": spec.get("security"),
        "paths": paths,
        "components": {"schemas": out_schemas},
    }
    sec = spec.get("components", {}).get("securitySchemes")
    if sec:
        out["components"]["securitySchemes"] = sec
    # self-containment check
    for r in iter_refs(out):
        if ref_name(r) not in out_schemas:
            raise SystemExit("BUG: dangling ref " + r)
    with open(a.out, "w") as f:
        json.dump(out, f, indent=a.indent, ensure_ascii=False, sort_keys=False)
        f.write("\n")
    print("%s: %d paths, %d schemas, variant=%s, source info.version=%s"
          % (a.out, len(paths), len(out_schemas), a.variant, spec.get("info", {}).get("version")))


if __name__ == "__main__":
    main()
