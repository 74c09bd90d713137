"""Print the createOnlyProperties of CloudFormation resource types for Stack.Tests.

usage: create_only_properties.py TYPE...   a JSON object: each type to its create-only property paths, as
                                           A/B/C below Properties ("/properties/" cut off)

The paths come from the resource provider schemas cfn-lint ships (us-east-1), the schemas CloudFormation's registry
publishes: a change to a create-only property is an update that "requires replacement" (a new physical resource), per
https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html#schema-properties-createonlyproperties
"""
import json
import sys

from cfnlint.schema.manager import PROVIDER_SCHEMA_MANAGER


def main(types):
    result = {}
    for resource_type in types:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type).schema
        result[resource_type] = [p[len("/properties/"):] for p in schema.get("createOnlyProperties", [])]
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
