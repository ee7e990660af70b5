"""The management REST API (/manage/v1): models, published APIs, accounts and users."""
