//! `--pseudonymize`: customer ids replaced, as they are read, by stable keyed pseudonyms. No dependency: the model
//! (which keeps customer ids) and the settings (which hold the key) both use it.

/// Stable keyed pseudonyms: `客户_` and 12 hex digits of BLAKE3 keyed by a key derived from the team's secret.
/// The same secret gives the same pseudonym for the same id in every run (weeks compare); without the secret a
/// pseudonym cannot be turned back into the id, even by trying every phone number.
#[derive(Clone)]
pub struct Pseudonymizer {
    key: [u8; 32],
}

impl std::fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pseudonymizer(key hidden)")
    }
}

impl Pseudonymizer {
    /// The shortest secret accepted, in bytes.
    pub const MIN_SECRET: usize = 16;

    pub fn new(secret: &str) -> std::result::Result<Pseudonymizer, String> {
        if secret.trim().len() < Self::MIN_SECRET {
            return Err(format!(
                "the pseudonym key must be at least {} characters (KEFU_PSEUDONYM_KEY)",
                Self::MIN_SECRET
            ));
        }
        Ok(Pseudonymizer { key: blake3::derive_key("kefu 2026 customer pseudonyms v1", secret.as_bytes()) })
    }

    /// A customer id as it is kept: the id read, or its pseudonym when there is a pseudonymizer.
    pub fn customer_id<'a>(p: Option<&Pseudonymizer>, read: &'a str) -> std::borrow::Cow<'a, str> {
        match p {
            Some(p) => p.of(read).into(),
            None => read.into(),
        }
    }

    /// The pseudonym of an id; the empty id (absent) stays empty.
    pub fn of(&self, id: &str) -> String {
        if id.is_empty() {
            return String::new();
        }
        let h = blake3::keyed_hash(&self.key, id.as_bytes());
        format!("客户_{}", &h.to_hex()[..12])
    }
}
