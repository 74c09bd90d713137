"""Print template.yaml as JSON for Stack.Tests.

usage: template_json.py TEMPLATE            the template as written (cfn-lint's YAML decoder: short tags)
       template_json.py TEMPLATE NAME=V...  the template after AWS::LanguageExtensions and SAM, as cfn-lint
                                            expands it, with the given parameter values (lists comma-separated)
"""
import json
import sys

from cfnlint.decode import decode
from cfnlint.template import Template
from cfnlint.template.transforms.transform import Transform


def main(argv):
    template, matches = decode(argv[1])
    if matches or template is None:
        for m in matches or []:
            print(m, file=sys.stderr)
        return 2
    if len(argv) > 2:
        # cfn-lint resolves Fn::ForEach collections from parameter defaults; give it the sample values.
        for pair in argv[2:]:
            name, _, value = pair.partition("=")
            template["Parameters"][name]["Default"] = value
        cfn = Template(argv[1], template, ["us-east-1"])
        errors = Transform().transform(cfn)
        if errors:
            for m in errors:
                print(m, file=sys.stderr)
            return 3
        template = cfn.template
    json.dump(template, sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
