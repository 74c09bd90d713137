"""Match repository names against an EventBridge event pattern with moto's implementation, for Stack.Tests.

usage: event_pattern_moto.py PATTERN_JSON ACCOUNT REGION NAME...
prints a JSON list of booleans, one per NAME: does an ECR image action event of that repository, from that
account and region, match?
"""
import json
import sys

from moto.events.models import EventPattern


def main(argv):
    pattern = EventPattern.load(argv[1])
    result = []
    account, region = argv[2], argv[3]
    for name in argv[4:]:
        # The fields the rule looks at, as in an "ECR Image Action" event (EventBridge user guide, ECR events).
        event = {
            "source": "aws.ecr",
            "detail-type": "ECR Image Action",
            "account": account,
            "region": region,
            "detail": {"result": "SUCCESS", "action-type": "PUSH", "repository-name": name},
        }
        result.append(pattern.matches_event(event))
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
