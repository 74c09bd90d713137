#!/usr/bin/env python3
"""Writes ecr-model.json: the request, answer and error shapes and constraints of the ECR operations this
repository sends or serves, copied from botocore's ECR service model (data/ecr/2015-09-21/service-2.json).

LocalEcr reads the JSON, not botocore, so it needs no python. Regenerate after a botocore upgrade:
  python3 src/LocalEcr/Model/generate.py
A path as the argument writes there instead (the test that the file is current compares the two).
"""
import json
import os
import sys

import botocore
from botocore.loaders import Loader

# Every operation the client sends (src/Replicator.Core/Ecr/EcrClient.Operations.cs) or LocalEcr serves
# (src/LocalEcr/Api/EcrDispatcher.cs).
OPERATIONS = [
    "BatchCheckLayerAvailability", "BatchDeleteImage", "BatchGetImage", "CompleteLayerUpload",
    "CreateRepository", "DeleteRepository", "DeleteSigningConfiguration", "DescribeImageSigningStatus",
    "DescribeImages", "DescribeRepositories", "GetSigningConfiguration",
    "GetAuthorizationToken", "GetDownloadUrlForLayer", "GetLifecyclePolicy", "GetRepositoryPolicy",
    "InitiateLayerUpload", "ListImageReferrers", "ListImages", "ListTagsForResource", "PutImage",
    "PutLifecyclePolicy", "PutSigningConfiguration", "SetRepositoryPolicy", "TagResource", "UntagResource", "UpdateImageStorageClass", "UploadLayerPart",
]

# Output enums the tests check answers against.
EXTRA_SHAPES = ["ImageFailureCode", "LayerFailureCode"]

KEYS = ["type", "required", "min", "max", "pattern", "enum"]


def main():
    model = Loader().load_service_model("ecr", "service-2")
    shapes = model["shapes"]
    out_shapes = {}

    def visit(name):
        if name in out_shapes:
            return
        shape = shapes[name]
        entry = {k: shape[k] for k in KEYS if k in shape}
        out_shapes[name] = entry
        if shape["type"] == "structure":
            entry["members"] = {m: v["shape"] for m, v in shape["members"].items()}
            for member in shape["members"].values():
                visit(member["shape"])
        elif shape["type"] == "list":
            entry["member"] = shape["member"]["shape"]
            visit(shape["member"]["shape"])
        elif shape["type"] == "map":
            entry["key"] = shape["key"]["shape"]
            entry["value"] = shape["value"]["shape"]
            visit(shape["key"]["shape"])
            visit(shape["value"]["shape"])

    operations = {}
    for op in OPERATIONS:
        definition = model["operations"][op]
        input_shape = definition["input"]["shape"]
        visit(input_shape)
        errors = sorted(e["shape"] for e in definition.get("errors", []))
        operations[op] = {"input": input_shape, "errors": errors}
        # The answers: what a successful call returns (every ECR operation has an output shape, if only an empty
        # structure) and each error's members, which the tests check LocalEcr's answers against (a member the model
        # lacks would be dropped by an SDK, so a client reading it would pass offline only).
        operations[op]["output"] = definition["output"]["shape"]
        visit(definition["output"]["shape"])
        for error in errors:
            visit(error)
    for name in EXTRA_SHAPES:
        visit(name)

    document = {
        "source": "botocore %s data/ecr/%s/service-2.json" % (botocore.__version__, model["metadata"]["apiVersion"]),
        "operations": operations,
        "shapes": dict(sorted(out_shapes.items())),
    }
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "ecr-model.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(document, f, indent=1, sort_keys=False)
        f.write("\n")


if __name__ == "__main__":
    main()
