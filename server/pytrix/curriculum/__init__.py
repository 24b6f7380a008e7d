"""The curriculum (modules, subtopics, problem types) and the question bank."""
