//! Report: turns result tables into file bytes, and writes them in one place.
//!
//! Exporters return bytes; `write_outputs` is the only function here that touches the disk. It writes every file
//! into a temporary folder beside `--out` and then moves each into place, so a run that fails before the end
//! leaves the previous reports as they were, and no reader ever sees a half-written file.
//! CSVs are UTF-8 (with a BOM under `--excel`), floats with 3 decimals, times as `YYYY-MM-DD HH:MM:SS`.

use crate::error::{KefuError, Result};
use crate::model::Reject;
use polars::prelude::*;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

pub(crate) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
pub(crate) const FLOAT_DECIMALS: usize = 3;

/// One output file: its path relative to the output folder, and its bytes.
pub(crate) struct OutputFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

pub fn csv_bytes(df: &mut DataFrame, excel: bool) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    if excel {
        buf.extend_from_slice(UTF8_BOM);
    }
    CsvWriter::new(&mut buf)
        .include_header(true)
        .with_datetime_format(Some("%Y-%m-%d %H:%M:%S".into()))
        .with_date_format(Some("%Y-%m-%d".into()))
        .with_float_precision(Some(FLOAT_DECIMALS))
        .finish(df)
        .map_err(|e| KefuError::Query { name: "csv".into(), reason: e.to_string() })?;
    Ok(buf)
}

/// `rejects.csv`: `file, line, reason, raw`. The reason and the raw row are masked (`mask::mask`): a rejected row
/// holds the same personal data as a used one.
pub(crate) fn rejects_csv(rejects: &[Reject], excel: bool) -> Vec<u8> {
    let mut buf = Vec::new();
    if excel {
        buf.extend_from_slice(UTF8_BOM);
    }
    let mut w = csv::Writer::from_writer(&mut buf);
    let io = "writing to memory cannot fail";
    w.write_record(["file", "line", "reason", "raw"]).expect(io);
    for r in rejects {
        let (reason, raw) = (crate::mask::mask(&r.reason), crate::mask::mask(&r.raw));
        w.write_record([r.file.as_str(), &r.line.to_string(), reason.as_str(), raw.as_str()]).expect(io);
    }
    w.flush().expect(io);
    drop(w);
    buf
}

/// Writes every file under `out`, through a temporary folder beside it.
pub(crate) fn write_outputs(out: &Path, files: &[OutputFile]) -> Result<()> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let base = out.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "reports".into());
    let tmp = parent.join(format!(".{base}.tmp-{}", std::process::id()));
    let result = (|| {
        // Side by side: copying half a gigabyte into the page cache is the kernel's CPU time, not the disk's.
        files.par_iter().try_for_each(|f| {
            let p = tmp.join(&f.path);
            if let Some(dir) = p.parent() {
                std::fs::create_dir_all(dir).map_err(|e| KefuError::output(dir, e))?;
            }
            std::fs::write(&p, &f.bytes).map_err(|e| KefuError::output(&p, e))
        })?;
        // Every folder first, so that what can fail for a reason the user can fix (a file named `charts` in the way,
        // no permission) fails before any report is replaced; the renames that follow replace file by file.
        for f in files {
            if let Some(dir) = out.join(&f.path).parent() {
                std::fs::create_dir_all(dir).map_err(|e| KefuError::output(dir, e))?;
            }
        }
        for f in files {
            let dest = out.join(&f.path);
            std::fs::rename(tmp.join(&f.path), &dest).map_err(|e| KefuError::output(&dest, e))?;
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    result
}
