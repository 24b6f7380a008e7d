"""The learner's practice: practice files, attempts, hints, and results as findings."""
