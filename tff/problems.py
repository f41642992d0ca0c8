"""A change refused for what is wrong with its fields, each said where it is, so the form can
show every problem beside its field (`tff.forms.show_problems`)."""


class Refused(Exception):
    """The change cannot be made: `problems` maps each field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems
