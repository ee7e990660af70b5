"""The result zip a finished training job hands to the user (Prediction One §3.5 `result_url`).

`result_zip.build_result_zip` is the entry point. `csv_files` writes the CSV documents,
`report_html` the page for people (with `curves`, `svg_charts` and `report_style`).
"""
