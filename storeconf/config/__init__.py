"""Loading a storeconf project: YAML files -> validated desired state, with every problem located.

load_project(dir, env)  the project file, its includes, the selected environment -> Project
json_schemas()          JSON Schemas of the project and resource files, for editors
escape(text)            text that interpolates back to itself (for writing files)
"""

from storeconf.config.interpolate import escape
from storeconf.config.loader import load_project
from storeconf.config.project import PROJECT_FILE, Environment, Project
from storeconf.config.schema import json_schemas

__all__ = ["PROJECT_FILE", "Environment", "Project", "escape", "json_schemas", "load_project"]
