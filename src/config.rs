//! Settings of a run: `kefu.toml` (or `--config`), then command-line overrides, resolved once into `Settings`.
//!
//! Every number of SPEC §3 lives here with its default. Unknown keys are an error naming the file, so a typo in
//! `kefu.toml` never silently falls back to a default.

use crate::error::{KefuError, Result};
use crate::pseudonym::Pseudonymizer;
use crate::timefmt::{SECS_PER_DAY, Ts};
use chrono::{FixedOffset, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The file as a user writes it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ConfigFile {
    /// UTC offset that ISO timestamps with an offset are converted to, e.g. "+08:00".
    pub timezone: String,
    /// Response-time target in seconds (20 s: the buyer-tolerance figure).
    pub target_secs: i64,
    /// Responses are capped at this many seconds for averages; unanswered turns count as the cap.
    pub cap_secs: i64,
    /// A conversation splits into sessions where two consecutive messages are more than this apart.
    pub session_gap_mins: i64,
    /// Turns starting in [start, end) count toward response metrics (考核时段).
    pub business_hours: BusinessHours,
    /// An order is attributed to the latest session of its customer that started this many hours before it.
    pub attribution_hours: i64,
    /// An off-hours turn (留言) counts as replied when an agent answers it in the same conversation no later than this
    /// many hours after business hours next open (SPEC §8, `offhours_reply_rate`).
    pub offhours_reply_hours: i64,
    /// An agent counts as online for this many minutes after each of its messages (SPEC §8, `active_hours`).
    pub idle_mins: i64,
    pub weights: Weights,
    pub aftersales_weights: AftersalesWeights,
    pub phases: Vec<PhaseDef>,
    pub rules: RulesConfig,
    /// Sub-account names that are shop robots, beside the defaults (服务助手, 店小蜜, …): a full name `店铺:小助手` or a
    /// sub-account name `小助手` (SPEC §7).
    pub bots: Vec<String>,
    /// 客服分组 (SPEC §8): team name → its agents, by full id (`店:小美`) or sub-account name (`小美`).
    pub teams: std::collections::BTreeMap<String, Vec<String>>,
    /// 班次 (SPEC §8): `[[shifts]] name = "晚班" start = "18:00" end = "02:00"`; a shift that passes midnight belongs
    /// to the day it started.
    pub shifts: Vec<ShiftDef>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ShiftDef {
    pub name: String,
    /// HH:MM, local time.
    pub start: String,
    /// HH:MM; not after `start` = the next day.
    pub end: String,
}

/// Which text rules run (SPEC §5): the built-in defaults, extended or replaced by the user's rule files.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RulesConfig {
    /// Rule files (TOML, `[[rule]]` tables), relative to the config file's folder. A rule with the id of a
    /// default replaces it.
    pub files: Vec<PathBuf>,
    /// Rule ids switched off.
    pub disabled: Vec<String>,
    /// Brand banned words added to the `banned_words` rule.
    pub banned_words: Vec<String>,
    /// What the shop's own terms allow, per rule id (`[rules.allowed] free_shipping_breach = ["新疆", "西藏"]`):
    /// a clause naming one of these words is not a violation of that rule (added to its `unless_clause`).
    pub allowed: std::collections::BTreeMap<String, Vec<String>>,
    /// Use only the rule files, not the defaults.
    pub replace_defaults: bool,
    /// A topic lexicon (`readers`) replacing the built-in `topics.toml`, relative to the config file's folder.
    pub topics: Option<PathBuf>,
    /// An intent lexicon (`readers`) replacing the built-in `intents.toml`, relative to the config file's folder.
    pub intents: Option<PathBuf>,
    /// A reasons lexicon (`readers`) replacing the built-in `reasons.toml`, relative to the config file's folder.
    pub reasons: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BusinessHours {
    pub start: String,
    pub end: String,
}

/// Weights of the performance score (SPEC §3). They need not sum to 1; the score divides by their sum.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Weights {
    pub response: f64,
    pub conversion: f64,
    pub quality: f64,
    pub aftersales: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PhaseDef {
    pub name: String,
    /// First day, inclusive (YYYY-MM-DD).
    pub start: String,
    /// Last day, inclusive (YYYY-MM-DD).
    pub end: String,
}

impl Default for ConfigFile {
    fn default() -> Self {
        ConfigFile {
            timezone: "+08:00".into(),
            target_secs: 20,
            cap_secs: 600,
            session_gap_mins: 30,
            business_hours: BusinessHours { start: "08:00".into(), end: "23:00".into() },
            attribution_hours: 72,
            offhours_reply_hours: 2,
            idle_mins: 10,
            weights: Weights::default(),
            aftersales_weights: AftersalesWeights::default(),
            phases: Vec::new(),
            rules: RulesConfig::default(),
            bots: Vec::new(),
            teams: Default::default(),
            shifts: Vec::new(),
        }
    }
}

/// Weights of `aftersales_score` (SPEC §3), each over a 0–1 figure where 1 is best: no disputes, no complaints,
/// every case closed the day it opened, handling within `handling_target_hours`. Like `Weights`, they are divided
/// by their sum (over the figures an agent has).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct AftersalesWeights {
    pub disputes: f64,
    pub complaints: f64,
    pub same_day: f64,
    pub handling: f64,
    /// Average handling time that scores 0 on the handling figure (0 h scores 1, linearly in between).
    pub handling_target_hours: f64,
}

impl Default for AftersalesWeights {
    fn default() -> Self {
        AftersalesWeights { disputes: 0.3, complaints: 0.2, same_day: 0.3, handling: 0.2, handling_target_hours: 48.0 }
    }
}

impl Default for Weights {
    fn default() -> Self {
        Weights { response: 0.3, conversion: 0.3, quality: 0.2, aftersales: 0.2 }
    }
}

/// Command-line values that override the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub from: Option<String>,
    pub to: Option<String>,
    pub target_secs: Option<i64>,
    /// `--pseudonymize`: the keyed hash customer ids are replaced with.
    pub pseudonym_key: Option<Pseudonymizer>,
}

/// A promotion phase with its day range resolved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phase {
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// Resolved, validated settings every stage takes what it needs from.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    #[serde(skip)]
    pub tz: FixedOffset,
    pub timezone: String,
    pub target_secs: i64,
    pub cap_secs: i64,
    pub session_gap_secs: i64,
    /// Business hours as seconds after midnight, [start, end).
    pub business_start: i64,
    pub business_end: i64,
    pub attribution_secs: i64,
    /// `offhours_reply_hours` in seconds.
    pub offhours_reply_secs: i64,
    /// `idle_mins` in seconds.
    pub idle_secs: i64,
    pub weights: Weights,
    pub aftersales_weights: AftersalesWeights,
    pub phases: Vec<Phase>,
    /// Inclusive day range of the analysed period; None = open.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Rule settings, with file paths resolved against the config file's folder.
    pub rules: RulesConfig,
    /// Bot sub-account names added by `bots = [...]`.
    pub bots: Vec<String>,
    pub teams: crate::roster::Teams,
    pub shifts: crate::roster::Shifts,
    /// Where the settings came from (a file path or "built-in defaults").
    pub source: String,
    /// `--pseudonymize`: customer ids are replaced by a keyed hash at ingest. The key is never written anywhere.
    #[serde(serialize_with = "key_given", rename = "pseudonymized")]
    pub pseudonym_key: Option<Pseudonymizer>,
}

/// `summary.json` says whether ids were pseudonymised, never the key.
fn key_given<S: serde::Serializer>(k: &Option<Pseudonymizer>, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_bool(k.is_some())
}

impl Default for Settings {
    fn default() -> Self {
        Settings::resolve(ConfigFile::default(), &Overrides::default(), "built-in defaults".into())
            .expect("defaults are valid")
    }
}

fn parse_date(s: &str, what: &str) -> std::result::Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| format!("{what}: '{s}' is not a date (YYYY-MM-DD)"))
}

fn parse_clock(s: &str, what: &str) -> std::result::Result<i64, String> {
    let s = s.trim();
    if s == "24:00" {
        return Ok(SECS_PER_DAY);
    }
    let t = NaiveTime::parse_from_str(s, "%H:%M").map_err(|_| format!("{what}: '{s}' is not a time (HH:MM)"))?;
    Ok(chrono::Timelike::num_seconds_from_midnight(&t) as i64)
}

pub(crate) fn parse_offset(s: &str) -> Option<FixedOffset> {
    let s = s.trim();
    let s = s.strip_prefix("UTC").unwrap_or(s);
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?),
        None => (rest.parse::<i32>().ok()?, 0),
    };
    if !(0..=14).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// `售前 = [...]` as `"售前" = [...]`: TOML allows only ASCII bare keys, and a supervisor writes a team's name as SPEC §8
/// does. A line whose key (before the first `=`) holds a non-ASCII character and no quote, dot or bracket gets quotes.
fn quote_unicode_keys(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.split_inclusive('\n') {
        let key = line.split_once('=').map(|(k, _)| k.trim());
        match key {
            Some(k) if !k.is_ascii() && !k.contains(['"', '\'', '.', '[', '#']) && !k.is_empty() => {
                let at = line.find(k).expect("the key is in its line");
                out.push_str(&line[..at]);
                out.push('"');
                out.push_str(k);
                out.push('"');
                out.push_str(&line[at + k.len()..]);
            }
            _ => out.push_str(line),
        }
    }
    out
}

impl Settings {
    /// Validates a config file's values and applies the overrides.
    pub fn resolve(file: ConfigFile, ov: &Overrides, source: String) -> std::result::Result<Settings, String> {
        let tz = parse_offset(&file.timezone)
            .ok_or_else(|| format!("timezone: '{}' is not a UTC offset like +08:00", file.timezone))?;
        let target_secs = ov.target_secs.unwrap_or(file.target_secs);
        if target_secs <= 0 {
            return Err(format!("target_secs must be positive, got {target_secs}"));
        }
        if file.cap_secs < target_secs {
            return Err(format!("cap_secs ({}) must be at least target_secs ({target_secs})", file.cap_secs));
        }
        if file.session_gap_mins <= 0 {
            return Err("session_gap_mins must be positive".into());
        }
        if file.attribution_hours < 0 {
            return Err("attribution_hours must not be negative".into());
        }
        if file.offhours_reply_hours < 0 {
            return Err("offhours_reply_hours must not be negative".into());
        }
        if file.idle_mins <= 0 {
            return Err("idle_mins must be positive".into());
        }
        let business_start = parse_clock(&file.business_hours.start, "business_hours.start")?;
        let business_end = parse_clock(&file.business_hours.end, "business_hours.end")?;
        if business_start >= business_end {
            return Err("business_hours: start must be before end".into());
        }
        let w = &file.weights;
        if [w.response, w.conversion, w.quality, w.aftersales].iter().any(|x| *x < 0.0 || !x.is_finite())
            || w.response + w.conversion + w.quality + w.aftersales <= 0.0
        {
            return Err("weights must be non-negative with a positive sum".into());
        }
        let a = &file.aftersales_weights;
        if [a.disputes, a.complaints, a.same_day, a.handling].iter().any(|x| *x < 0.0 || !x.is_finite())
            || a.disputes + a.complaints + a.same_day + a.handling <= 0.0
        {
            return Err("aftersales_weights must be non-negative with a positive sum".into());
        }
        if !(a.handling_target_hours > 0.0 && a.handling_target_hours.is_finite()) {
            return Err("aftersales_weights.handling_target_hours must be positive".into());
        }
        let mut phases = Vec::new();
        for p in &file.phases {
            let start = parse_date(&p.start, &format!("phase '{}' start", p.name))?;
            let end = parse_date(&p.end, &format!("phase '{}' end", p.name))?;
            if end < start {
                return Err(format!("phase '{}' ends before it starts", p.name));
            }
            if p.name.trim().is_empty() {
                return Err("a phase needs a name".into());
            }
            phases.push(Phase { name: p.name.clone(), start, end });
        }
        let mut shifts = Vec::new();
        for sh in &file.shifts {
            let what = |end: &str| format!("shift '{}' {end}", sh.name);
            shifts.push((
                sh.name.clone(),
                parse_clock(&sh.start, &what("start"))?,
                parse_clock(&sh.end, &what("end"))?,
            ));
        }
        let from = ov.from.as_deref().map(|s| parse_date(s, "--from")).transpose()?;
        let to = ov.to.as_deref().map(|s| parse_date(s, "--to")).transpose()?;
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            return Err("--to is before --from".into());
        }
        Ok(Settings {
            tz,
            timezone: file.timezone.clone(),
            target_secs,
            cap_secs: file.cap_secs,
            session_gap_secs: file.session_gap_mins * 60,
            business_start,
            business_end,
            attribution_secs: file.attribution_hours * 3600,
            offhours_reply_secs: file.offhours_reply_hours * 3600,
            idle_secs: file.idle_mins * 60,
            weights: file.weights.clone(),
            aftersales_weights: file.aftersales_weights.clone(),
            phases,
            from,
            to,
            rules: file.rules.clone(),
            bots: file.bots.iter().map(|b| b.trim().to_string()).filter(|b| !b.is_empty()).collect(),
            teams: crate::roster::Teams::new(&file.teams.clone().into_iter().collect::<Vec<_>>())?,
            shifts: crate::roster::Shifts::new(&shifts)?,
            source,
            pseudonym_key: ov.pseudonym_key.clone(),
        })
    }

    /// Loads `--config FILE`, else `INPUT/kefu.toml` if present, else the defaults; then applies the overrides.
    pub fn load(input: &Path, config: Option<&Path>, ov: &Overrides) -> Result<Settings> {
        let path: Option<PathBuf> = match config {
            Some(p) => Some(p.to_path_buf()),
            None => Some(input.join("kefu.toml")).filter(|p| p.is_file()),
        };
        let (file, source) = match &path {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| KefuError::Config { file: p.clone(), reason: e.to_string() })?;
                let text = quote_unicode_keys(&text);
                let mut file: ConfigFile =
                    toml::from_str(&text).map_err(|e| KefuError::Config { file: p.clone(), reason: e.to_string() })?;
                // Rule files are named relative to the config file.
                let dir = p.parent().unwrap_or(Path::new("."));
                let r = &mut file.rules;
                for f in r.files.iter_mut().chain(r.topics.as_mut()).chain(r.intents.as_mut()).chain(r.reasons.as_mut())
                {
                    *f = dir.join(&*f);
                }
                (file, p.display().to_string())
            }
            None => (ConfigFile::default(), "built-in defaults".to_string()),
        };
        Settings::resolve(file, ov, source).map_err(|reason| match &path {
            // A bad --from/--to is usage; anything else belongs to the file.
            _ if reason.starts_with("--") => KefuError::Usage(reason),
            Some(p) => KefuError::Config { file: p.clone(), reason },
            None => KefuError::Usage(reason),
        })
    }

    /// Name of the phase containing this local day, if any (the first listed wins where phases overlap).
    pub fn phase_of_day(&self, day: NaiveDate) -> Option<&str> {
        self.phases.iter().find(|p| p.start <= day && day <= p.end).map(|p| p.name.as_str())
    }

    /// Whether a timestamp's day lies inside `--from/--to`.
    pub fn in_period(&self, ts: Ts) -> bool {
        let day = crate::timefmt::day_of(ts);
        self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|t| day <= t)
    }

    /// Whether a turn starting at `ts` starts within business hours.
    pub fn in_business_hours(&self, ts: Ts) -> bool {
        let sod = ts.rem_euclid(SECS_PER_DAY);
        sod >= self.business_start && sod < self.business_end
    }

    /// When business hours next open after `ts` (an off-hours time): the same day's opening before it, else the
    /// next day's.
    pub fn next_open(&self, ts: Ts) -> Ts {
        let sod = ts.rem_euclid(SECS_PER_DAY);
        let day = ts - sod;
        if sod < self.business_start { day + self.business_start } else { day + SECS_PER_DAY + self.business_start }
    }

    /// Whether an off-hours turn started at `start` and first answered by an agent at `reply` (in its conversation,
    /// in any later session) was replied in time: by business hours' next opening plus `offhours_reply_secs`.
    pub fn offhours_replied(&self, start: Ts, reply: Option<Ts>) -> bool {
        reply.is_some_and(|r| r <= self.next_open(start) + self.offhours_reply_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_spec() {
        let s = Settings::default();
        assert_eq!((s.target_secs, s.cap_secs, s.session_gap_secs), (20, 600, 1800));
        assert_eq!((s.business_start, s.business_end), (8 * 3600, 23 * 3600));
        assert_eq!(s.attribution_secs, 72 * 3600);
        assert_eq!(s.tz.local_minus_utc(), 8 * 3600);
    }

    #[test]
    fn unknown_key_is_an_error() {
        let e = toml::from_str::<ConfigFile>("target_sec = 30").unwrap_err();
        assert!(e.to_string().contains("target_sec"), "{e}");
    }

    #[test]
    fn chinese_team_names_need_no_quotes() {
        let text = "[teams]\n售前 = [\"店:小美\"]\n\"售后\" = [\"小雪\"]\nname = \"早班 = 8\"\n";
        assert_eq!(
            quote_unicode_keys(text),
            "[teams]\n\"售前\" = [\"店:小美\"]\n\"售后\" = [\"小雪\"]\nname = \"早班 = 8\"\n"
        );
    }

    #[test]
    fn phases_and_overrides() {
        let f: ConfigFile = toml::from_str(
            "target_secs = 30\n[[phases]]\nname = \"爆发\"\nstart = \"2026-11-11\"\nend = \"2026-11-11\"\n",
        )
        .unwrap();
        let ov = Overrides { target_secs: Some(15), ..Default::default() };
        let s = Settings::resolve(f, &ov, "t".into()).unwrap();
        assert_eq!(s.target_secs, 15);
        let d = NaiveDate::from_ymd_opt(2026, 11, 11).unwrap();
        assert_eq!(s.phase_of_day(d), Some("爆发"));
        assert_eq!(s.phase_of_day(d.succ_opt().unwrap()), None);
    }

    #[test]
    fn bad_values_are_named() {
        let f = ConfigFile { timezone: "Beijing".into(), ..Default::default() };
        assert!(Settings::resolve(f, &Overrides::default(), "t".into()).unwrap_err().contains("timezone"));
        let f = ConfigFile {
            business_hours: BusinessHours { start: "23:00".into(), end: "08:00".into() },
            ..Default::default()
        };
        assert!(Settings::resolve(f, &Overrides::default(), "t".into()).is_err());
    }
}
