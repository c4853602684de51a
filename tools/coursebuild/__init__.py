"""The course pipeline's parts: sources, notebooks, slide decks, the facilitator guide.

``tools/course.py`` is the command line; see its docstring for what each command does.
"""
