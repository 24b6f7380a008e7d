"""The AI tutor: Gemini through ``google-genai`` with the learner's own key.

Every feature has an offline answer (the bank, a static review, a measured
comparison), so nothing here is needed for Pytrix to work. Entry point:
:class:`pytrix.ai.tutor.AITutor`, reached as ``PytrixService.ai``.
"""
