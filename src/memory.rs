//! The process's memory: what it holds and its peak, as Linux reports them (`/proc/self/status`; `None`
//! elsewhere), and handing memory freed by the allocator back to the system between stages.

/// A `kB` line of `/proc/self/status` (`VmHWM`, `VmRSS`) in MB, one decimal.
fn status_mb(key: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))?;
    let kb: f64 = line.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some((kb / 1024.0 * 10.0).round() / 10.0)
}

/// The peak resident set size so far, in MB (`VmHWM`).
pub fn peak_rss_mb() -> Option<f64> {
    status_mb("VmHWM")
}

/// The resident set size now, in MB (`VmRSS`).
pub fn rss_mb() -> Option<f64> {
    status_mb("VmRSS")
}

/// Returns memory the allocator holds but no longer uses to the system. glibc keeps freed chunks of its
/// per-thread arenas resident: after the message rows are freed, and after each SQL query, that was 300–600 MB at
/// 10 M messages, which the next step's peak then stood on (BENCHMARKS.md). A no-op where the allocator is not
/// glibc's.
pub fn release() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: malloc_trim(3) is part of every glibc program, takes a byte count to leave at the top of the
        // heap, and only walks the allocator's own free lists under its locks; it is safe to call from any thread
        // at any time.
        unsafe {
            malloc_trim(0);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_memory_of_the_process_on_linux() {
        if cfg!(target_os = "linux") {
            let (now, peak) = (super::rss_mb().expect("VmRSS"), super::peak_rss_mb().expect("VmHWM"));
            assert!(now > 0.0 && peak >= now, "rss {now} peak {peak}");
        }
        super::release();
    }
}
