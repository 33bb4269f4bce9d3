"""The app: `streamlit run streamlit_app.py` serves it, and Streamlit runs this file for every page.

Imported by the server (``__name__ == "streamlit_app"``), the file defines ``app``, an
``st.App`` (Starlette) with the app's own cookie routes next to Streamlit's; `streamlit run`
finds it and serves it with uvicorn. Run by Streamlit as the script of a browser session (and
by AppTest) it is ``__main__`` and draws the frame: sign-in, the role's pages, the sidebar.
"""

import gc

import streamlit as st

if __name__ == "__main__":
    from dashboard.ui.frame import main

    main()
else:
    # The pages' heavy imports (Altair with its schema, Streamlit's emoji table) load
    # with the server, once, instead of in the first visit of the first page that needs them.
    import altair  # noqa: F401
    import streamlit.emojis  # noqa: F401
    from streamlit.runtime.pages_manager import PagesManager

    import dashboard.reports.charts  # noqa: F401
    from dashboard.ui.web import session_routes

    # The frame declares every page with st.navigation. Without this, a fresh server treats
    # pages/ as an old-style page folder until the first session has run the frame, and a
    # page URL opened first runs that page file alone, outside the sign-in.
    PagesManager.uses_pages_directory = False
    # Streamlit runs gc.collect(2) after every script run (runner.postScriptGC), which walks every
    # object of the process: ~190,000 after the imports above, 0.1-0.2 s of every page switch and
    # widget click with the interpreter lock held, the page's last messages waiting behind it.
    # The imported modules live as long as the server, so they leave the collector's walks; what
    # sessions and pages create later is still collected after each run.
    gc.collect()
    gc.freeze()
    app = st.App(__file__, routes=session_routes(st.get_option("server.baseUrlPath")))
