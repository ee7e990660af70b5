"""The web console: a static single-page app served under /console/, a thin client of /manage/v1."""
