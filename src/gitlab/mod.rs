//! The HTTP client for GitLab's REST API v4. STUB.
