"""Progress: case notes, with facts and opinion kept apart, and the family's one timeline."""
