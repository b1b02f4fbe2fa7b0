"""Prints the swift-testing tests a log shows as started and never ended (passed, failed or skipped).

    python3 Scripts/lib/unfinished_tests.py LOG
Used by Scripts/test.sh when `swift test` runs out of time, to name the test that hung.
"""

import re
import sys

STARTED = re.compile(r"^◇ Test (.+) started\.$")
ENDED = re.compile(r"^[✔✘➜↪︎]\s*Test (.+?)(?: with \d+ test cases?)? (?:passed|failed|skipped)\b")


def main(path: str) -> int:
    started: dict[str, None] = {}
    ended: set[str] = set()
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            line = line.rstrip("\n")
            if match := STARTED.match(line):
                name = match.group(1)
                # The run itself and the cases of parameterised tests end with their test's line.
                if name != "run" and not name.startswith("case passing "):
                    started[name] = None
            elif match := ENDED.match(line):
                ended.add(match.group(1))
    unfinished = [name for name in started if name not in ended]
    for name in unfinished:
        print(f"  {name}")
    if not started:
        print("  (none had started: swift test was still starting up)")
    elif not unfinished:
        print("  (none: every test that started ended; the test process itself did not exit)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
