"""``python -m tinygrad_edu.exercises``: list, start, check, hint, solution, broken.

    python -m tinygrad_edu.exercises start softmax    # writes ./softmax.py
    python -m tinygrad_edu.exercises check softmax    # checks ./softmax.py
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import ExerciseError, broken, check, get, hint, list, load, solution, start

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status (0: done or passed, 1: failed or refused)."""
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except (ExerciseError, FileExistsError, ValueError) as e:
        print(e, file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.command == "list":
        for name in list():
            print(f"{name:<14} {get(name).title}")
        return 0
    name = args.name
    exercise = get(name)
    if args.command == "start":
        path = start(name)
        print(f"wrote {path}: fill in `{exercise.entry}`, then run\n"
              f"  python -m tinygrad_edu.exercises check {name}")
    elif args.command == "check":
        check(name, load(name, args.file or f"{name}.py"))
        print(f"PASS {name}: your {exercise.entry} agrees with {exercise.truth} on every "
              "case.")
    elif args.command == "hint":
        print(hint(name, args.level))
    elif args.command == "solution":
        print(exercise.source("solution"))
        assert solution(name) is exercise.solution
    else:
        print(f"# exercise {name!r}, find the bug: this {exercise.entry} has one realistic "
              f"mistake.\n# `python -m tinygrad_edu.exercises check` on it says where the "
              "numbers go wrong.\n")
        print(exercise.source("broken"))
        assert broken(name) is exercise.broken
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tinygrad_edu.exercises",
        description="Gradient exercises: write a backward by hand, the checker says where "
                    "it is wrong.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="the exercises")
    for command, text in (("start", "write NAME.py, a stub to fill (never overwrites)"),
                          ("check", "check your NAME.py (or FILE)"),
                          ("hint", "a hint (LEVEL 1, 2, ...: each more explicit)"),
                          ("solution", "print a reference solution"),
                          ("broken", "print the solution with a planted bug, to find")):
        sub = commands.add_parser(command, help=text)
        sub.add_argument("name", metavar="NAME")
        if command == "check":
            sub.add_argument("file", metavar="FILE", nargs="?")
        if command == "hint":
            sub.add_argument("level", metavar="LEVEL", nargs="?", type=int, default=1)
    return parser


if __name__ == "__main__":
    sys.exit(main())
