//! Column builders for the derived tables: string columns as views into one pool, times and dates as polars
//! temporal columns, and the calendar (week label and phase of each day) computed once.

use crate::config::Settings;
use crate::model::{Input, SECS_PER_DAY, Ts};
use crate::timefmt::{day_of, day_start, week_label};
use chrono::NaiveDate;
use polars::prelude::*;

pub(super) fn str_col<'a>(name: &str, v: impl IntoIterator<Item = &'a str>) -> Column {
    Column::new(name.into(), v.into_iter().collect::<Vec<&str>>())
}

pub(super) fn opt_str_col<'a>(name: &str, v: impl IntoIterator<Item = Option<&'a str>>) -> Column {
    Column::new(name.into(), v.into_iter().collect::<Vec<Option<&str>>>())
}

/// A string column of what `f` makes of each item, made a block of items at a time on every core, so that the
/// strings are never all held as Rust `String`s at once (each a heap block of its own, 40–60 bytes more than the
/// column keeps of it): only a block's are, then the column's compact buffers. In blocks (chunks); `Column::rechunk`
/// makes it one.
pub(super) fn par_str_col<T: Sync>(name: &str, items: &[T], f: impl Fn(&T) -> Option<String> + Sync) -> Column {
    use rayon::prelude::*;
    let blocks: Vec<Column> = items
        .par_chunks(1 << 14)
        .map(|block| Column::new(name.into(), block.iter().map(&f).collect::<Vec<Option<String>>>()))
        .collect();
    let mut col = Column::new_empty(name.into(), &DataType::String);
    for b in blocks {
        col.append_owned(b).expect("blocks of one type");
    }
    col
}

/// The masked excerpt around a reading's evidence (its term, 20 characters either side): what `unpaid`, `lost` and
/// `topic_examples` show of the message a reason or topic was read from.
pub(super) fn evidence_excerpt(input: &Input, e: &crate::readers::Evidence) -> String {
    let text = input.text(&input.messages[e.msg as usize]);
    crate::mask::excerpt(text, (e.start as usize, e.end as usize), 20)
}

/// Strings held once: a column of them is made by gathering (`take`) from this one column, so its rows are 16-byte
/// views into the pool's buffer, not copies. Ids repeat over millions of rows (an agent's id on every message), and
/// a copy per row was most of the tables' memory.
pub(super) struct Pool {
    values: StringChunked,
}

impl Pool {
    pub(super) fn new<'a>(values: impl Iterator<Item = &'a str>) -> Pool {
        Pool { values: values.collect() }
    }
    pub(super) fn col(&self, name: &str, idx: impl Iterator<Item = u32>) -> Column {
        let idx = IdxCa::from_vec("".into(), idx.map(|i| i as IdxSize).collect());
        self.take(name, &idx)
    }
    /// As `col`, null where the index is `None`.
    pub(super) fn opt_col(&self, name: &str, idx: impl Iterator<Item = Option<u32>>) -> Column {
        let idx: IdxCa = idx.map(|i| i.map(|i| i as IdxSize)).collect();
        self.take(name, &idx)
    }
    pub(super) fn take(&self, name: &str, idx: &IdxCa) -> Column {
        self.values.take(idx).expect("pool indices are in bounds").with_name(name.into()).into_column()
    }
}

/// The interned ids as a pool: index = id; `opt` gives null for id 0 ("absent").
pub(super) struct NamePool(pub(super) Pool);

impl NamePool {
    pub(super) fn col(&self, name: &str, ids: impl Iterator<Item = u32>) -> Column {
        self.0.col(name, ids)
    }
    pub(super) fn opt_col(&self, name: &str, ids: impl Iterator<Item = u32>) -> Column {
        self.0.opt_col(name, ids.map(|id| (id != 0).then_some(id)))
    }
}

/// A whole-number key standing for an id column (`session_key` for `session_id`, `customer_key` for `customer_id`):
/// equal where the ids are equal, so queries join, group and count distinct on it without hashing strings (at 10 M
/// messages the default queries took 5.4 s on the string ids, 4.1 s on the keys: BENCHMARKS.md). Not an output.
pub(super) fn key_col(name: &str, keys: impl Iterator<Item = u32>) -> Column {
    Column::new(name.into(), keys.collect::<Vec<u32>>())
}

/// As `key_col` for an optional id (id 0, "absent", is null like the id column).
pub(super) fn opt_key_col(name: &str, keys: impl Iterator<Item = u32>) -> Column {
    Column::new(name.into(), keys.map(|k| (k != 0).then_some(k)).collect::<Vec<Option<u32>>>())
}

pub(super) fn dt_col(name: &str, v: impl IntoIterator<Item = Option<Ts>>) -> Column {
    let ca: Int64Chunked = v.into_iter().map(|t| t.map(|t| t * 1000)).collect();
    ca.with_name(name.into()).into_datetime(TimeUnit::Milliseconds, None).into_column()
}

pub(super) fn date_col(name: &str, v: impl IntoIterator<Item = NaiveDate>) -> Column {
    let ca: Int32Chunked = v.into_iter().map(|d| Some((day_start(d) / SECS_PER_DAY) as i32)).collect();
    ca.with_name(name.into()).into_date().into_column()
}

pub(super) fn hour_start(ts: Ts) -> Ts {
    ts - ts.rem_euclid(3600)
}

/// A table whose columns are built on every core: `table![a, b, …]` is `df(vec![a, b, …])` with each expression
/// evaluated as a task of its own. Building columns is most of the tables stage (a column of the 3.6 M turns at
/// 10 M messages takes tens of milliseconds), and each reads only shared data.
macro_rules! table {
    ($($col:expr),* $(,)?) => {
        $crate::tables::cols::par_df(vec![$(Box::new(|| $col)),*])
    };
}
pub(super) use table;

/// What `table!` runs: each builder as a task, the columns in order.
pub(super) fn par_df(build: Vec<Box<dyn FnOnce() -> Column + Send + '_>>) -> DataFrame {
    use rayon::prelude::*;
    df(build.into_par_iter().map(|f| f()).collect())
}

pub(super) fn df(cols: Vec<Column>) -> DataFrame {
    let height = cols.first().map_or(0, |c| c.len());
    DataFrame::new(height, cols).expect("derived columns have equal lengths")
}

/// Week label and phase of every day from the first to the last timestamp of the input, computed once: days
/// repeat across millions of rows.
pub(super) struct Calendar<'a> {
    first_day: i64,
    /// Days from the Monday of the first day's week to the first day.
    first_weekday: usize,
    weeks: Vec<String>,
    phases: Vec<Option<&'a str>>,
}

impl<'a> Calendar<'a> {
    pub(super) fn new(input: &Input, settings: &'a Settings) -> Self {
        let all = input
            .messages
            .iter()
            .map(|m| m.ts)
            .chain(input.orders.iter().map(|o| o.created))
            .chain(input.cases.iter().map(|c| c.opened))
            .chain(input.ratings.iter().map(|r| r.at));
        let (lo, hi) = all.fold((i64::MAX, i64::MIN), |(lo, hi), t| (lo.min(t), hi.max(t)));
        let (first_day, last_day) =
            if lo > hi { (0, -1) } else { (lo.div_euclid(SECS_PER_DAY), hi.div_euclid(SECS_PER_DAY)) };
        Calendar::of_days((first_day, last_day), settings)
    }
    /// The calendar of the days from `first_day` to `last_day` (days since 1970-01-01, local; empty when
    /// `last_day < first_day`).
    pub(super) fn of_days((first_day, last_day): (i64, i64), settings: &'a Settings) -> Self {
        let days: Vec<NaiveDate> = (first_day..=last_day).map(|d| day_of(d * SECS_PER_DAY)).collect();
        Calendar {
            first_day,
            first_weekday: days.first().map_or(0, |d| chrono::Datelike::weekday(d).num_days_from_monday() as usize),
            weeks: days.iter().map(|d| week_label(*d)).collect(),
            phases: days.iter().map(|d| settings.phase_of_day(*d)).collect(),
        }
    }
    pub(super) fn index(&self, ts: Ts) -> usize {
        (ts.div_euclid(SECS_PER_DAY) - self.first_day) as usize
    }
    pub(super) fn week(&self, ts: Ts) -> &str {
        &self.weeks[self.index(ts)]
    }
    /// The week of a time as a number counted from the first week of the data (a cheap key to group by).
    pub(super) fn week_no(&self, ts: Ts) -> u32 {
        ((self.index(ts) + self.first_weekday) / 7) as u32
    }
    /// The label of a `week_no`.
    pub(super) fn week_of_no(&self, no: u32) -> &str {
        let day = (no as usize * 7).saturating_sub(self.first_weekday).min(self.weeks.len().saturating_sub(1));
        &self.weeks[day]
    }
    pub(super) fn phase(&self, ts: Ts) -> Option<&'a str> {
        self.phases[self.index(ts)]
    }
    /// The first and last day (as `of_days` takes them).
    pub(super) fn day_range(&self) -> (i64, i64) {
        (self.first_day, self.first_day + self.weeks.len() as i64 - 1)
    }
    pub(super) fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        (0..self.weeks.len() as i64).map(|i| day_of((self.first_day + i) * SECS_PER_DAY))
    }
}
