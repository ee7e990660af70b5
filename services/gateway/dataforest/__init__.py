"""The NAVER Cloud Data Forest "AI Workspaces" adapter (shared/contracts/dataforest.md): its wire
formats, signature check, validation and operations."""
