//! What the engine does to its own process before anything else: no core dumps.
//!
//! A core dump of the engine would hold the access token (and any new token) in clear text; one
//! seen in the wild held the access token five times. So every engine process (`serve`,
//! `schema` and the clipboard holder, which is the same executable started again) turns core
//! dumps off at start:
//! - Linux: `setrlimit(RLIMIT_CORE, 0)` (soft and hard, so no child can raise it again) and
//!   `prctl(PR_SET_DUMPABLE, 0)`, which also stops other processes of the same user from
//!   attaching with ptrace or reading `/proc/<pid>/mem`;
//! - other Unix systems (macOS, the BSDs): `setrlimit(RLIMIT_CORE, 0)`;
//! - Windows: nothing to do here; Windows Error Reporting writes no full memory dump of a
//!   process unless an administrator configured `LocalDumps`, which this engine cannot undo.
//!
//! Failures are ignored: an engine that cannot harden itself still works, as before.

/// Turn core dumps off for this process (see the module comment).
pub fn no_core_dumps() {
    #[cfg(unix)]
    {
        let none = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit reads the struct we pass and changes only this process's limit.
        unsafe {
            libc::setrlimit(libc::RLIMIT_CORE, &none);
        }
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        // SAFETY: PR_SET_DUMPABLE takes one integer argument and affects only this process.
        unsafe {
            libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn after_hardening_this_process_dumps_nothing() {
        super::no_core_dumps();
        let mut limit = libc::rlimit {
            rlim_cur: 1,
            rlim_max: 1,
        };
        // SAFETY: getrlimit writes into the struct we own.
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut limit) }, 0);
        assert_eq!((limit.rlim_cur, limit.rlim_max), (0, 0));
        // SAFETY: PR_GET_DUMPABLE takes no arguments and returns the flag.
        assert_eq!(unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) }, 0);
    }
}
