"""Running untrusted code against a question's tests and grading the results."""
