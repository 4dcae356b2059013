"""The instructor's JupyterLab (book/instructor.md: `jupyter lab --no-browser
--config=lab/jupyter_lab_config.py`, from the repository root): it stays offline.

Stock JupyterLab asks PyPI for extensions (the extension manager), fetches Jupyter's news
feed and checks for new versions, and its front end asks whether to fetch news.  A
grading machine has no business doing any of that (nor a network, perhaps).  Values are
plain strings (the formgrader shows the loaded configuration as JSON).
"""

from pathlib import Path

c = get_config()  # noqa: F821 - provided by traitlets when JupyterLab loads this file

# the extension manager lists what is installed and never queries PyPI
c.LabApp.extension_manager = "readonly"
# no news feed, no update check (server side)
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.handlers.announcements.NeverCheckForUpdate"
# the front end's defaults: news "Never" (no consent prompt), no update check, the
# extension manager off (lab/settings/overrides.json).  This folder takes the place of the
# installation's <prefix>/share/jupyter/lab/settings (a pip install has none; an image
# that puts an overrides.json there should copy it into lab/settings)
c.LabApp.app_settings_dir = str(Path(__file__).resolve().parent / "settings")

# nbgrader's formgrader (debug, its default) dumps the whole loaded configuration as JSON on
# its Manage Assignments page; the server's own list of extensions, as Jupyter's packages
# enable them (jupyter_server_config.d), is a lazily merged value that JSON cannot hold,
# so every visit logged "Formgrader config is not serializable".  Off, that page shows no
# configuration dump; nbgrader_config.py names its classes by import path, so that its own
# part would serialise.
c.FormgradeExtension.debug = False
