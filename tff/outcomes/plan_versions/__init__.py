"""Outcome plans as the product keeps them: each version of a plan stored as its document,
imported or edited by managers, exported as YAML or JSON, and adopted from a date. The plan
a phase two or Supporting Families family is measured against is chosen here."""
