"""The Family CAF (Common Assessment Framework): consent, the assessment of strengths and needs
by domain, the family's and the programme's priorities, the drug and alcohol and CSE
screenings, the action plan, and Team Around the Family meetings and reviews."""
