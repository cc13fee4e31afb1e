//! The serve loop. STUB.

use std::process::ExitCode;

pub fn serve_stdio() -> ExitCode {
    todo!()
}
