//! The system clipboard. STUB: to be implemented.

use crate::error::Result;
use crate::secret::Secret;
use std::process::ExitCode;

/// Put `secret` on the system clipboard so that it outlives this process.
pub fn copy(_secret: &Secret) -> Result<()> {
    todo!()
}

/// Entry point of the hidden `gitlabcli clipboard-hold` helper.
pub fn hold_main() -> ExitCode {
    todo!()
}
