//! What each protocol command does. STUB.
