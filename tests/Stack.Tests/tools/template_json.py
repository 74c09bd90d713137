"""Print template.yaml as JSON for Stack.Tests.

usage: template_json.py TEMPLATE            the template as written (cfn-lint's YAML decoder: short tags)
       template_json.py TEMPLATE NAME=V...  the template after AWS::LanguageExtensions and SAM, as cfn-lint
                                            expands it, with the given parameter values (lists comma-separated)
       template_json.py TEMPLATE --batch FILE
                                            the same for each parameter set of FILE (a JSON array of objects, NAME:
                                            V), printed as a JSON array in that order: one process decodes the template
                                            once, where a process per set pays the imports and the decoding each time
"""
import copy
import json
import sys

from cfnlint.decode import decode
from cfnlint.template import Template
from cfnlint.template.transforms.transform import Transform


def expand(path, template, values):
    template = copy.deepcopy(template)
    # cfn-lint resolves Fn::ForEach collections from parameter defaults; give it the sample values.
    for name, value in values.items():
        template["Parameters"][name]["Default"] = value
    cfn = Template(path, template, ["us-east-1"])
    errors = Transform().transform(cfn)
    if errors:
        for m in errors:
            print(m, file=sys.stderr)
        return None
    return cfn.template


def main(argv):
    template, matches = decode(argv[1])
    if matches or template is None:
        for m in matches or []:
            print(m, file=sys.stderr)
        return 2
    if len(argv) == 4 and argv[2] == "--batch":
        with open(argv[3], encoding="utf-8") as f:
            sets = json.load(f)
        expanded = [expand(argv[1], template, values) for values in sets]
        if any(t is None for t in expanded):
            return 3
        json.dump(expanded, sys.stdout, default=str)
        return 0
    if len(argv) > 2:
        template = expand(argv[1], template, dict(pair.partition("=")[::2] for pair in argv[2:]))
        if template is None:
            return 3
    json.dump(template, sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
